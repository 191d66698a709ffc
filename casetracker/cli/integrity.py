"""Integrity: ``verify``, ``checkpoint``, ``rebuild``, ``access-log``, ``keys`` and ``proof``."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Annotated, Any

import typer

from casetracker.cli import mi as cli_mi
from casetracker.cli.common import LARGEST_INTEGER, JsonOption, emit, read_json_file, state
from casetracker.cli.progress import QuietOption
from casetracker.domain.errors import UsageError
from casetracker.presenters.text import counted


def verify_cmd(
    ctx: typer.Context,
    checkpoint: Annotated[
        Path | None, typer.Option(help="Also check against a checkpoint kept elsewhere")
    ] = None,
    json_out: JsonOption = False,
    bundle: Annotated[
        Path | None, typer.Option(help="Verify this export bundle instead, with no database")
    ] = None,
    thorough: Annotated[
        bool,
        typer.Option(
            help="Check the database file with SQLite's integrity_check (every index against "
            "its table) instead of the quicker quick_check, and every read model's rows "
            "against the log (about as long as `rebuild`)"
        ),
    ] = False,
    key: Annotated[
        Path | None,
        typer.Option(
            help="Public key file: check the signature of the checkpoint, the bundle or the "
            "two heads of --consistency"
        ),
    ] = None,
    consistency: Annotated[
        tuple[Path, Path, Path] | None,
        typer.Option(
            metavar="OLD NEW PROOF",
            help="Check, with no database, that tree head NEW extends tree head OLD by PROOF "
            "(from `casetracker proof consistency`)",
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Re-check every chain, both Merkle trees, the projection and the access log; exit 1 if
    anything is wrong."""
    from casetracker.services.tree_heads import public_key

    public = public_key(key) if key is not None else None
    if bundle is not None:
        if not cli_mi.verify_bundle_file(bundle, json_out, public):
            raise typer.Exit(1)
        return
    if consistency is not None:
        if not _verify_consistency(*consistency, public, json_out):
            raise typer.Exit(1)
        return
    from casetracker.cli.progress import progress

    saved = read_json_file(checkpoint) if checkpoint else None
    with closing(state(ctx).service()) as ct:
        with progress("verify", "events", quiet) as update:
            report = ct.verify(saved, thorough, public, update)
        lines = [f"{counted(report.events, 'event')} in {counted(report.cases, 'case')} checked"]
        lines += [f"DAMAGED {d}" for d in report.damaged]
        lines += [f"PROBLEM {p}" for p in report.problems]
        if report.checkpoint is not None and report.checkpoint.get("signature"):
            lines.append(f"checkpoint signature {report.checkpoint['signature']}")
        lines.append("intact" if report.ok else "NOT intact")
        emit(report.as_dict(), json_out, lines, ct.realm)
    if not report.ok:
        raise typer.Exit(1)


def _verify_consistency(old: Path, new: Path, proof: Path, public: Any, json_out: bool) -> bool:
    """``verify --consistency``: offline; True when the proof holds."""
    from casetracker.integrity.tree_head import consistency_problems

    older, newer, proven = (read_json_file(path) for path in (old, new, proof))
    problems = consistency_problems(older, newer, proven, public)
    lines = [f"PROBLEM {p}" for p in problems]
    if public is None and not problems:
        lines.append("signatures not checked: give --key to tie the heads to their signer")
    lines.append(f"{new} extends {old}" if not problems else f"NOT shown that {new} extends {old}")
    emit({"ok": not problems, "problems": problems, "signed": public is not None}, json_out, lines)
    return not problems


def checkpoint_cmd(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="Write to this file instead of standard output")
    ] = None,
    sign: Annotated[
        bool,
        typer.Option(help="Sign the tree head with the key of `casetracker keys generate`"),
    ] = False,
) -> None:
    """Print a tree head of both logs (a small summary to keep somewhere else)."""
    from casetracker.services.tree_heads import signed_checkpoint

    with closing(state(ctx).service()) as ct:
        data = signed_checkpoint(ct) if sign else ct.checkpoint()
    text = json.dumps(data, indent=2)
    if out:
        _write_new(out, text + "\n")
        typer.echo(f"checkpoint at position {data['position']} written to {out}")
    else:
        typer.echo(text)


def _write_new(out: Path, text: str) -> None:
    """A tree head or proof as a new file: never over another (the database itself, or an older
    head that a later consistency proof needs), and a failed write is one line."""
    try:
        with out.open("x", encoding="utf-8") as handle:
            try:
                handle.write(text)
            except OSError:
                out.unlink(missing_ok=True)
                raise
    except FileExistsError:
        raise UsageError(f"{out} exists: a tree head or proof never overwrites a file") from None
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None


def rebuild(ctx: typer.Context, quiet: QuietOption = False) -> None:
    """Recompute every case's current state from the log."""
    from casetracker.cli.progress import progress
    from casetracker.services.log_size import events_in_log

    with closing(state(ctx).service()) as ct, progress("rebuild", "events", quiet) as update:
        # Two passes over the log, each counting its events from 0: the projection, then the
        # read models.
        total, passed, last = 2 * events_in_log(ct), [0], [0]

        def advance(events: int) -> None:
            if events < last[0]:
                passed[0] += last[0]
            last[0] = events
            update(min(passed[0] + events, total), total)

        count = ct.rebuild(advance)
    typer.echo(f"rebuilt the current state of {counted(count, 'case')} and every read model")


def access_log_cmd(
    ctx: typer.Context,
    case_id: Annotated[str | None, typer.Argument()] = None,
    limit: Annotated[int, typer.Option(min=1, max=LARGEST_INTEGER)] = 50,
    json_out: JsonOption = False,
) -> None:
    """Who consulted, disclosed or was refused what (newest last)."""
    from casetracker.presenters.text import access_line

    with closing(state(ctx).service()) as ct:
        entries = ct.access_entries(case_id, limit)
        actions = {a.name for spec in ct.flow.specs.values() for a in spec.actions}
        emit(
            {"entries": [e.as_dict() for e in entries]},
            json_out,
            [access_line(e, actions) for e in entries],
            ct.realm,
        )


keys_app = typer.Typer(help="The Ed25519 key pair that signs tree heads and bundles.")
proof_app = typer.Typer(help="Proofs to keep or hand over, checked with no database.")


@keys_app.command("generate")
def keys_generate(
    out: Annotated[
        Path | None,
        typer.Option(help="Private key file to create (default: see `casetracker locate`)"),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Create an Ed25519 key pair: the private key readable only by you, the public key
    (same name with .pub) to hand to whoever checks your tree heads and bundles."""
    from casetracker.services.tree_heads import generate_keys

    made = generate_keys(out)
    emit(
        made,
        json_out,
        [
            f"private key {made['private_key']} (readable only by you: keep it off the database)",
            f"public key  {made['public_key']} (give this to auditors)",
            f"key id      {made['key_id']}",
        ],
    )


@proof_app.command("consistency")
def proof_consistency(
    ctx: typer.Context,
    old: Annotated[Path, typer.Argument(help="The older tree head (a checkpoint file)")],
    new: Annotated[Path, typer.Argument(help="The newer tree head")],
    out: Annotated[
        Path | None, typer.Option(help="Write to this file instead of standard output")
    ] = None,
) -> None:
    """Print the proof that the log of NEW extends the log of OLD (both logs); check it with
    `casetracker verify --consistency OLD NEW PROOF`, with no database."""
    from casetracker.services.tree_heads import consistency_proof

    heads = read_json_file(old), read_json_file(new)
    with closing(state(ctx).service()) as ct:
        proof = consistency_proof(ct, *heads)
    text = json.dumps(proof, indent=2)
    if out:
        _write_new(out, text + "\n")
        typer.echo(f"consistency proof written to {out}")
    else:
        typer.echo(text)


def register(app: typer.Typer) -> None:
    """Add these commands to the main application."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(proof_app, name="proof")
    app.command("verify")(verify_cmd)
    app.command("checkpoint")(checkpoint_cmd)
    app.command()(rebuild)
    app.command("access-log")(access_log_cmd)
