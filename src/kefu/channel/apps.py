from django.apps import AppConfig


class ChannelConfig(AppConfig):
    name = "kefu.channel"
    label = "channel"
    verbose_name = "官方渠道"
