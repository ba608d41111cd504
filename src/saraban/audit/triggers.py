"""SQL of the triggers that make the audit table append-only, per database vendor."""

from __future__ import annotations

CREATE: dict[str, list[str]] = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_auditrecord
           BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_auditrecord
           BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit records are append-only'; END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_auditrecord
           FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    ],
}
DROP: dict[str, list[str]] = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_no_change ON audit_auditrecord",
        "DROP FUNCTION IF EXISTS audit_refuse_change()",
    ],
}
