"""The few Airflow names this package uses, from Airflow 3's Task SDK or 2.10's core.

Imported lazily by the modules that need Airflow, so that the contract, the
guard and the row tools work without Airflow installed.
"""

from __future__ import annotations

from typing import Any

try:  # Airflow 3
    from airflow.sdk import Variable, get_current_context, task
except ImportError:  # pragma: no cover - Airflow 2.10
    from airflow.decorators import task  # type: ignore[no-redef,attr-defined,unused-ignore]
    from airflow.models import Variable  # type: ignore[no-redef,assignment,unused-ignore]
    from airflow.operators.python import get_current_context  # type: ignore[no-redef,unused-ignore]

__all__ = ["Variable", "get_current_context", "task", "variable"]


def variable(key: str) -> Any:
    """An Airflow Variable, or None when it is not set."""
    # Positional: the keyword is `default` in Airflow 3 and `default_var` in 2.10.
    return Variable.get(key, None)
