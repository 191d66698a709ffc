"""A writer run as a separate process by the concurrency and crash tests.

Usage: python -m tests.integration.writer_process URL CASE_ID COUNT TAG
Appends COUNT notes to CASE_ID (or to a case it opens when CASE_ID is "new"), retrying stale
writes, and prints ``ack KEY`` only after each commit has returned.
"""

from __future__ import annotations

import sys

from casetracker.domain.errors import Conflict
from casetracker.services.cases import Casetracker
from tests.helpers import core_engine


def main() -> None:
    url, case_id, count, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    ct = Casetracker(url, role="police", workflows=core_engine())
    if case_id == "new":
        case_id = ct.open_case({"name": f"writer {tag}"}, idempotency_key=f"{tag}-open").case_id
        print(f"ack {tag}-open", flush=True)
    for n in range(count):
        key = f"{tag}-{n}"
        while True:
            version = ct.store.case_head(case_id).version
            try:
                ct.act(
                    case_id,
                    "add_note",
                    {"text": key},
                    expected_version=version,
                    idempotency_key=key,
                )
                break
            except Conflict:
                continue
        print(f"ack {key}", flush=True)
    ct.close()


if __name__ == "__main__":
    main()
