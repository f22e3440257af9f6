"""The demo zone's fixture, `demo_zone`, lives in tests/conftest.py (other folders load the demo too)."""
