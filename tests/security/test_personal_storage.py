"""Personal data at rest (docs/security.md §4): SM4 ciphertext in the main and history tables, the blind index,
the migration of plaintext rows, key rotation, refused lookups, masking rules and log lines."""

from __future__ import annotations

import base64
import logging
import os

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jingkai.core import audit, personal
from jingkai.core.models import User
from jingkai.demands.models import Demand
from jingkai.enterprises.models import Contact
from tests import factories as f

PHONE = "13812345678"


def raw(table: str, column: str, where: str, params) -> list:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(column)} FROM {qn(table)} WHERE {where}", params)
        return [row[0] for row in cursor.fetchall()]


# --- masking -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("0573-85123456", "0573-****3456"),
        ("057385123456", "0573-****3456"),
        ("0573-85123456-801", "0573-****3456-***"),
        ("330482199001011234", "330***********1234"),
        ("33048219900101123x", "330***********123X"),
        ("0573-1234567", "0573-****567"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask(value, masked):
    assert personal.mask(value) == masked


@hsettings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 -+", min_size=1, max_size=30))
def test_a_mask_never_shows_more_than_seven_digits_nor_hides_fewer_than_four(value):
    digits = sum(ch.isdigit() for ch in value)
    shown = personal.mask(value)
    visible = sum(ch.isdigit() for ch in shown)
    assert visible <= 7
    if digits:
        assert shown.count("*") >= min(4, digits)


def test_log_lines_carry_no_full_number(caplog):
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "called %s about %s", (PHONE, "330482199001011234"), None
    )
    personal.MaskingLogFilter().filter(record)
    assert record.getMessage() == "called 138****5678 about 330***********1234"


# --- sealing -----------------------------------------------------------------------------------------------


def test_a_value_is_sealed_with_a_fresh_iv_and_names_its_key():
    one, two = personal.encrypt(PHONE), personal.encrypt(PHONE)
    assert one != two and one.startswith(f"sm4${personal.current_key_id()}$")
    assert personal.key_id_of(one) == personal.current_key_id()
    assert personal.decrypt(one) == personal.decrypt(two) == PHONE
    assert len(one) <= personal.cipher_length(11)


def test_a_tampered_value_or_an_unknown_key_is_refused_not_misread():
    token = personal.encrypt(PHONE)
    prefix, kid, body = token.split("$")
    raw_bytes = bytearray(base64.b64decode(body))
    raw_bytes[13] ^= 1
    with pytest.raises(personal.PersonalDataError, match="authentication tag"):
        personal.decrypt(f"{prefix}${kid}${base64.b64encode(bytes(raw_bytes)).decode()}")
    with pytest.raises(personal.PersonalDataError, match="no longer holds"):
        personal.decrypt(f"{prefix}$gone${body}")
    with pytest.raises(personal.PersonalDataError, match="not ciphertext"):
        personal.decrypt(PHONE)


@pytest.mark.parametrize(
    "raw_keys",
    [
        "k1:short",
        "k1",
        "bad id!:" + personal.new_key(),
        f"k1:{personal.new_key()},k1:{personal.new_key()}",
        "",
    ],
    # Fixed names: pytest-xdist's workers must collect the same tests, and the keys are random.
    ids=["too-short", "no-key", "bad-id", "duplicate-id", "empty"],
)
def test_bad_key_settings_are_refused(raw_keys):
    with pytest.raises(ImproperlyConfigured):
        personal.parse_keys(raw_keys)
    with pytest.raises(ImproperlyConfigured):
        personal.parse_index_key(base64.b64encode(os.urandom(16)).decode())


@pytest.mark.django_db
def test_main_and_history_tables_hold_ciphertext_and_python_the_plaintext():
    user = f.UserFactory(phone=PHONE)
    contact = f.ContactFactory(phone="0573-85123456")
    checks = [
        ("core_user", "core_historicaluser", "phone", user.pk, PHONE),
        ("enterprises_contact", "enterprises_historicalcontact", "phone", contact.pk, "0573-85123456"),
    ]
    for table, history, column, pk, value in checks:
        [stored] = raw(table, column, "id = %s", [pk])
        history_values = raw(history, column, "id = %s", [pk])
        assert history_values, history
        for token in [stored, *history_values]:
            assert personal.is_ciphertext(token) and "5678" not in token and "3456" not in token, (
                table,
                token,
            )
            assert personal.decrypt(token) == value
        [index] = raw(table, f"{column}_index", "id = %s", [pk])
        assert index == personal.blind_index(value)
        assert raw(history, f"{column}_index", "id = %s", [pk])[-1] == index
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert Contact.history.filter(id=contact.pk).first().phone == "0573-85123456"


@pytest.mark.django_db
def test_demand_contact_phone_is_sealed(zone):
    from jingkai.demands import services
    from jingkai.demands.defaults import ensure_defaults
    from jingkai.demands.models import DemandCategory

    ensure_defaults()
    demand = services.submit_demand(
        actor=zone.users["zone_admin"],
        enterprise=zone.above1,
        category=DemandCategory.objects.filter(parent__isnull=False).first()
        or DemandCategory.objects.first(),
        description="测试",
        channel="hotline",
        contact_name="张三",
        contact_phone=PHONE,
    )
    for table in ("demands_demand", "demands_historicaldemand"):
        for token in raw(table, "contact_phone", "id = %s", [demand.pk]):
            assert personal.is_ciphertext(token) and personal.decrypt(token) == PHONE
    assert list(personal.matching(Demand.objects.all(), "contact_phone", "138-1234-5678")) == [demand]


@pytest.mark.django_db
def test_exact_search_goes_through_the_blind_index_and_other_lookups_are_refused():
    contact = f.ContactFactory(phone="138 1234 5678")
    f.ContactFactory(phone="13900000000")
    assert list(personal.matching(Contact.objects.all(), "phone", "+86 13812345678")) == [contact]
    assert not personal.matching(Contact.objects.all(), "phone", "1381234567").exists()
    assert Contact.objects.filter(phone="").count() == 0  # empty stays searchable
    with pytest.raises(FieldError, match="blind index"):
        Contact.objects.filter(phone=PHONE).exists()
    with pytest.raises(FieldError, match="encrypted"):
        Contact.objects.filter(phone__contains="1234").exists()


@pytest.mark.django_db
def test_bulk_create_and_bulk_update_seal_too():
    enterprise = f.EnterpriseFactory()
    Contact.objects.bulk_create([Contact(enterprise=enterprise, name="甲", phone=PHONE)])
    [token] = raw("enterprises_contact", "phone", "name = %s", ["甲"])
    assert personal.decrypt(token) == PHONE
    assert raw("enterprises_contact", "phone_index", "name = %s", ["甲"]) == [personal.blind_index(PHONE)]


@pytest.mark.django_db
def test_the_migration_seals_plaintext_rows_and_their_history():
    contact = f.ContactFactory(phone="")
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:  # a row as it stood before the migration: plaintext
        cursor.execute(
            f"UPDATE {qn('enterprises_contact')} SET phone = %s WHERE id = %s", [PHONE, contact.pk]
        )
        cursor.execute(
            f"UPDATE {qn('enterprises_historicalcontact')} SET phone = %s WHERE id = %s", [PHONE, contact.pk]
        )
    forward, backward = personal.seal_columns(
        [
            ("enterprises_contact", "id", "phone", "phone_index", personal.PHONE),
            ("enterprises_historicalcontact", "history_id", "phone", "phone_index", personal.PHONE),
        ]
    )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    forward(None, editor)
    forward(None, editor)  # a second run changes nothing
    for table in ("enterprises_contact", "enterprises_historicalcontact"):
        for token in raw(table, "phone", "id = %s", [contact.pk]):
            assert personal.is_ciphertext(token) and personal.decrypt(token) == PHONE
    assert Contact.objects.get(pk=contact.pk).phone == PHONE
    backward(None, editor)
    assert raw("enterprises_contact", "phone", "id = %s", [contact.pk]) == [PHONE]


@pytest.mark.django_db
def test_rotation_reencrypts_under_the_new_key_and_keeps_every_value_readable(settings):
    contact = f.ContactFactory(phone=PHONE)
    user = f.UserFactory(phone="0573-85123456")
    old = settings.JINGKAI_PII_KEYS
    settings.JINGKAI_PII_KEYS = f"k9:{personal.new_key()},{old}"
    settings.JINGKAI_PII_ROTATE_BATCH = 1  # several batches
    call_command("pii", "rotate")
    for table, pk in (
        ("enterprises_contact", contact.pk),
        ("enterprises_historicalcontact", contact.pk),
        ("core_user", user.pk),
    ):
        for token in raw(table, "phone", "id = %s", [pk]):
            assert personal.key_id_of(token) == "k9"
    event = audit.AuditEvent.objects.filter(kind=audit.Kind.KEY_ROTATED).get()
    assert event.details["reencrypted"] >= 3
    # The old key can go: everything still opens with the new one alone.
    settings.JINGKAI_PII_KEYS = settings.JINGKAI_PII_KEYS.split(",")[0]
    assert Contact.objects.get(pk=contact.pk).phone == PHONE
    assert User.objects.get(pk=user.pk).phone == "0573-85123456"
    assert Contact.history.filter(id=contact.pk).first().phone == PHONE


@pytest.mark.django_db
def test_rotating_the_index_key_recomputes_the_index(settings):
    contact = f.ContactFactory(phone=PHONE)
    settings.JINGKAI_PII_INDEX_KEY = personal.new_index_key()
    assert not personal.matching(Contact.objects.all(), "phone", PHONE).exists()  # stale until the run
    call_command("pii", "rotate")
    assert list(personal.matching(Contact.objects.all(), "phone", PHONE)) == [contact]
    assert personal.matching(Contact.history.all(), "phone", PHONE).exists()
