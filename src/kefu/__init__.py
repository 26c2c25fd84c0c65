"""kefu (客服): runs the customer-service organisation of a company or group of companies."""

__version__ = "0.1.0"
