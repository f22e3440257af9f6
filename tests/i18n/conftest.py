"""The demand fixtures (a category, demands filed and driven to a state) for the wording tests."""

from tests.demands.conftest import category, demand_in, file_demand  # noqa: F401
