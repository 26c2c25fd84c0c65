from django.contrib import admin

from kefu.core.admin import ReadOnlyAdmin
from kefu.org.models import Employee, EmployeeTransfer, OrgUnit, Position, RoleAssignment


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "code", "path", "active")
    list_filter = ("kind",)


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level")


@admin.register(Employee)
class EmployeeAdmin(ReadOnlyAdmin):
    list_display = ("employee_no", "name", "unit", "position", "hire_date", "status")
    list_filter = ("status", "position")
    search_fields = ("employee_no", "name")


@admin.register(EmployeeTransfer)
class EmployeeTransferAdmin(ReadOnlyAdmin):
    list_display = ("employee", "from_unit", "to_unit", "effective_date", "reason")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "unit", "granted_at")
    list_filter = ("role",)
