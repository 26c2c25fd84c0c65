"""Demo organisation: one group, two branches, four departments, ~80 employees, a login per role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kefu.core.demo import DEMO_PASSWORD, DemoContext, DemoLogin
from kefu.org import services
from kefu.org.models import Employee, OrgUnit, Role, UnitKind

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉梅鑫宇欣怡子涵浩然思雨梓萱雨轩俊杰晨曦佳琪嘉怡一诺雅婷"

# (department, teams, headcount per team)
DEPARTMENTS = [
    ("话务部", ["话务一组", "话务二组"], 9),
    ("营销部", ["营销一组"], 7),
    ("投诉处理部", ["投诉组"], 5),
    ("质检部", ["质检组"], 4),
]
BRANCHES = [("华东分公司", "HD"), ("华南分公司", "HN")]
BASE_SALARY = {
    "agent": 4200,
    "senior_agent": 5200,
    "team_lead": 6500,
    "qa_inspector": 5600,
    "supervisor": 8000,
    "manager": 11000,
}


def _name(ctx: DemoContext, used: set[str]) -> str:
    while True:
        given = "".join(ctx.rng.sample(GIVEN, ctx.rng.choice([1, 2])))
        name = ctx.rng.choice(SURNAMES) + given
        if name not in used:
            used.add(name)
            return name


def _hire_date(ctx: DemoContext, *, min_years: float, max_years: float) -> dt.date:
    days = ctx.rng.randint(int(min_years * 365) + 30, int(max_years * 365))
    return ctx.today - dt.timedelta(days=days)


def build(ctx: DemoContext) -> None:
    group = services.org_unit_create(actor=None, kind=UnitKind.GROUP, name="华夏优品集团", code="HX", parent_id=None)
    ctx.objects["group"] = group
    used: set[str] = set()
    counter = 0

    def hire(unit: OrgUnit, position: str, *, min_years: float = 0.0, max_years: float = 8.0) -> Employee:
        nonlocal counter
        counter += 1
        salary = BASE_SALARY[position] + ctx.rng.randrange(0, 1200, 100)
        return services.employee_create(
            actor=None,
            employee_no=f"E{counter:04d}",
            name=_name(ctx, used),
            unit_id=unit.id,
            position_code=position,
            hire_date=_hire_date(ctx, min_years=min_years, max_years=max_years),
            base_salary=Decimal(salary),
            status="probation" if position == "agent" and ctx.rng.random() < 0.08 else "active",
        )

    for branch_name, code in BRANCHES:
        branch = services.org_unit_create(
            actor=None, kind=UnitKind.BRANCH, name=branch_name, code=code, parent_id=group.id
        )
        centre = services.org_unit_create(
            actor=None, kind=UnitKind.CENTRE, name=f"{branch_name[:2]}客服中心", code=f"{code}-CC", parent_id=branch.id
        )
        hire(centre, "manager", min_years=5)
        ctx.objects[f"{code}.branch"] = branch
        for d, (dept_name, teams, headcount) in enumerate(DEPARTMENTS, start=1):
            dept = services.org_unit_create(
                actor=None, kind=UnitKind.DEPARTMENT, name=dept_name, code=f"{code}-D{d}", parent_id=centre.id
            )
            hire(dept, "supervisor", min_years=3)
            ctx.objects[f"{code}.{dept_name}"] = dept
            for t, team_name in enumerate(teams, start=1):
                team = services.org_unit_create(
                    actor=None, kind=UnitKind.TEAM, name=team_name, code=f"{code}-D{d}-T{t}", parent_id=dept.id
                )
                ctx.objects[f"{code}.{team_name}"] = team
                ctx.objects[f"{code}.{team_name}.lead"] = hire(team, "team_lead", min_years=2)
                member = "qa_inspector" if dept_name == "质检部" else None
                for i in range(headcount - 1):
                    position = member or ("senior_agent" if ctx.rng.random() < 0.25 else "agent")
                    # A few newcomers in every team: tenures run from weeks to eight years.
                    employee = hire(team, position, max_years=0.5 if i == 0 else 8.0)
                    ctx.objects.setdefault(f"{code}.{team_name}.members", []).append(employee)

    # Some history: two agents moved between teams, one promoted.
    hd_one, hd_two = ctx.objects["HD.话务一组.members"], ctx.objects["HD.话务二组.members"]
    services.employee_transfer(
        actor=None,
        employee_id=hd_two[-1].id,
        to_unit_id=ctx.objects["HD.话务一组"].id,
        effective_date=ctx.today - dt.timedelta(days=200),
        reason="话务一组扩编",
    )
    services.employee_transfer(
        actor=None,
        employee_id=hd_one[-2].id,
        to_unit_id=hd_one[-2].unit_id,
        to_position_code="senior_agent",
        effective_date=ctx.today - dt.timedelta(days=90),
        reason="年度晋升",
    )

    def login(username: str, role: str, unit: OrgUnit, employee: Employee | None = None) -> None:
        user = services.user_create(
            actor=None, username=username, password=DEMO_PASSWORD, employee_id=employee.id if employee else None
        )
        services.role_grant(actor=None, user_id=user.pk, role=role, unit_id=unit.id)
        ctx.logins.append(DemoLogin(username=username, role=role, scope=unit.name))

    hd = ctx.objects["HD.branch"]
    login("hq_admin", Role.HQ_ADMIN, group)
    login("hd_hr", Role.BRANCH_HR, hd)
    login("hn_hr", Role.BRANCH_HR, ctx.objects["HN.branch"])
    login("hd_finance", Role.FINANCE, hd)
    login("hd_qa", Role.QA, hd, ctx.objects["HD.质检组.members"][0])
    login("hd_complaints", Role.COMPLAINTS_OFFICER, hd, ctx.objects["HD.投诉组.lead"])
    login("hd_lead", Role.TEAM_LEAD, ctx.objects["HD.话务一组"], ctx.objects["HD.话务一组.lead"])
    login("hd_agent", Role.AGENT, ctx.objects["HD.话务一组"], hd_one[0])
    ctx.objects["users"] = {entry.username for entry in ctx.logins}
