"""factory_boy factories shared by every test folder."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory

from jingkai.core import uscc
from jingkai.core.models import Department, Role, User
from jingkai.enterprises.models import (
    AnnualScale,
    CapitalChange,
    Contact,
    Enterprise,
    EnterpriseGroup,
    Honour,
)
from jingkai.grids.models import AssignmentRole, Community, CommunityAssignment, Grid, GridAssignment
from jingkai.parks.models import Park

_codes = itertools.count(1)


def next_uscc() -> str:
    """A fresh, valid code (an 8-digit organisation body gives a check character in the alphabet or X)."""
    while True:
        body = f"{next(_codes) + 31_000_000:08d}"
        try:
            return uscc.make_code("91", "330482", body)
        except ValueError:
            continue


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"部门{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.GRID_OFFICER
    password = factory.django.Password("pw-for-tests-1")


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    number = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: f"G{o.number:02d}")
    name = factory.LazyAttribute(lambda o: f"第{o.number}网格")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    number = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: f"C{o.number:02d}")
    name = factory.LazyAttribute(lambda o: f"测试社区{o.number}")


class GridAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridAssignment

    grid = factory.SubFactory(GridFactory)
    user = factory.SubFactory(UserFactory)
    role = AssignmentRole.OFFICER
    start_date = dt.date(2020, 1, 1)


class CommunityAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityAssignment

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory, role=Role.COMMUNITY_OFFICER)
    start_date = dt.date(2020, 1, 1)


class ParkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Park

    code = factory.Sequence(lambda n: f"park{n}")
    name = factory.Sequence(lambda n: f"测试园区{n}")
    kind = Park.Kind.PLATFORM


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseGroup

    name = factory.Sequence(lambda n: f"测试集团{n}")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    uscc = factory.LazyFunction(next_uscc)
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    industry_code = "C3421"
    founded_on = dt.date(2010, 5, 1)
    registered_capital = Decimal("10000000")
    employees = 100
    technical_staff = 20


class AnnualScaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualScale

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2022
    above_size = True
    revenue = Decimal("50000000")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    is_primary = True


class HonourFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Honour

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = "high_tech"
    level = "national"
    certified_on = dt.date(2022, 12, 1)
    expires_on = dt.date(2025, 11, 30)


class CapitalChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapitalChange

    enterprise = factory.SubFactory(EnterpriseFactory)
    changed_on = dt.date(2015, 1, 1)
    kind = "increase"
    currency = "USD"
    registered_capital_before = Decimal("1000000")
    registered_capital_after = Decimal("2000000")
