"""jingkai pii status | rotate | new-key: the keys of personal data (docs/security.md §4).

    jingkai pii new-key            print a fresh SM4 key entry (k<N>:<base64>) and a fresh index key
    jingkai pii status             how many values each key id seals, per table
    jingkai pii rotate             re-encrypt every value not sealed with the current key (the first of
                                   JINGKAI_PII_KEYS), and recompute every blind index with JINGKAI_PII_INDEX_KEY

To rotate the encryption key: put the new key first in JINGKAI_PII_KEYS, keep the old ones after it, restart, run
`jingkai pii rotate`; once it reports 0 values left under old keys, drop them. To rotate the index key: set the
new JINGKAI_PII_INDEX_KEY, restart and run `jingkai pii rotate` at once (until it finishes, exact searches by
phone miss the rows not yet re-indexed). Both work table by table in batches of JINGKAI_PII_ROTATE_BATCH rows,
one transaction each (main and history tables), so a run stopped half-way is continued by the next one; the run
is audited (KEY_ROTATED).
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils.translation import gettext_lazy

from jingkai.core import audit, personal
from jingkai.core.commands import JingkaiCommand


def sealed_tables():
    """(model, pk column, [(encrypted field, its index field or None)]) for every model, history included."""
    for model in apps.get_models():
        fields = personal.encrypted_fields(model)
        if model._meta.proxy or not model._meta.managed or not fields:
            continue
        yield model, model._meta.pk.column, [(f, personal.index_field_of(model, f.name)) for f in fields]


def rotate(batch: int, stdout=None) -> dict[str, int]:
    qn = connection.ops.quote_name
    current = personal.current_key_id()
    counts = {"rows": 0, "reencrypted": 0, "reindexed": 0}
    for model, pk, fields in sealed_tables():
        table = qn(model._meta.db_table)
        columns = [f.column for f, _ in fields] + [i.column for _, i in fields if i is not None]
        select = ", ".join(qn(c) for c in [pk, *columns])
        last = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {qn(pk)} > %s " if last is not None else ""
                cursor.execute(
                    f"SELECT {select} FROM {table} {where}ORDER BY {qn(pk)} LIMIT %s",
                    [last, batch] if last is not None else [batch],
                )
                rows = cursor.fetchall()
                for row in rows:
                    values = dict(zip([pk, *columns], row, strict=True))
                    changes = {}
                    for field, index in fields:
                        token = values[field.column] or ""
                        plain = personal.decrypt(token) if token else ""
                        if token and personal.key_id_of(token) != current:
                            changes[field.column] = personal.encrypt(plain)
                            counts["reencrypted"] += 1
                        if index is not None:
                            digest = personal.blind_index(plain, field.kind)
                            if digest != (values[index.column] or ""):
                                changes[index.column] = digest
                                counts["reindexed"] += 1
                    if changes:
                        assignments = ", ".join(f"{qn(c)} = %s" for c in changes)
                        cursor.execute(
                            f"UPDATE {table} SET {assignments} WHERE {qn(pk)} = %s",
                            [*changes.values(), values[pk]],
                        )
                    counts["rows"] += 1
            if len(rows) < batch:
                break
            last = rows[-1][0]
        if stdout is not None:
            stdout.write(f"{model._meta.db_table}: done")
    return counts


def status() -> dict[str, dict[str, int]]:
    qn = connection.ops.quote_name
    found: dict[str, dict[str, int]] = {}
    for model, _pk, fields in sealed_tables():
        with connection.cursor() as cursor:
            for field, _ in fields:
                cursor.execute(
                    f"SELECT {qn(field.column)} FROM {qn(model._meta.db_table)} WHERE {qn(field.column)} <> ''"
                )
                per_key = found.setdefault(f"{model._meta.db_table}.{field.column}", {})
                for (token,) in cursor.fetchall():
                    kid = personal.key_id_of(token) if personal.is_ciphertext(token) else "(plaintext!)"
                    per_key[kid] = per_key.get(kid, 0) + 1
    return found


class Command(JingkaiCommand):
    help = gettext_lazy("Keys of personal data: status, rotate (re-encrypt and re-index), new-key.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "rotate", "new-key"])

    def handle(self, *args, action, **options):
        if action == "new-key":
            kids = [kid for kid, _ in personal.parse_keys(settings.JINGKAI_PII_KEYS)]
            number = 1 + max((int(k[1:]) for k in kids if k[1:].isdigit()), default=0)
            # Standard output: the new entry alone (put it first in JINGKAI_PII_KEYS, keep the old ones after it).
            self.stdout.write(f"k{number}:{personal.new_key()}")
            self.stderr.write(f"A new index key, only to rotate the index key: {personal.new_index_key()}")
            return
        if action == "status":
            for column, per_key in status().items():
                self.stdout.write(
                    f"{column}: " + (", ".join(f"{k} {n}" for k, n in sorted(per_key.items())) or "0")
                )
            return
        try:
            counts = rotate(settings.JINGKAI_PII_ROTATE_BATCH)
        except personal.PersonalDataError as exc:
            raise CommandError(str(exc)) from None
        audit.record(
            audit.Kind.KEY_ROTATED,
            summary=f"personal data under key {personal.current_key_id()}",
            key_id=personal.current_key_id(),
            **counts,
        )
        self.stdout.write(
            f"{counts['rows']} rows read, {counts['reencrypted']} values re-encrypted under "
            f"{personal.current_key_id()}, {counts['reindexed']} blind indexes recomputed"
        )
