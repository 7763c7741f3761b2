"""The command line: a thin layer over the library (docs/interfaces.md section 4).

    python -m segmentation score accounts.xlsx --out segmented.xlsx --config settings.json
    python -m segmentation sample --rows 500 --seed 7 --out accounts.csv
    python -m segmentation config --out settings.json
    python -m segmentation fit accounts.xlsx --config settings.json --out fitted.json

Exit 0 with a short summary on stdout; exit 2 with one `error:` line on stderr when an input,
the settings or the output path cannot be used. Outputs are written whole or not at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


class CommandError(Exception):
    """A problem the user can fix; printed as one `error:` line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.command(args)
    except CommandError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    except Exception as problem:  # a bug, not bad input: still one line, unless debugging
        if os.environ.get("TIERWISE_DEBUG"):
            raise
        print(
            f"error: unexpected {type(problem).__name__}: {problem} "
            "(set TIERWISE_DEBUG=1 to see where, and please report it).",
            file=sys.stderr,
        )
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m segmentation",
        description="Tierwise: segment a book of customer accounts into service tiers.",
        epilog="Run `python -m segmentation COMMAND --help` for a command's options.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    _add_score(commands)
    _add_sample(commands)
    _add_config(commands)
    _add_fit(commands)
    return parser


def _add_command(commands: Any, name: str, run: Callable, summary: str) -> argparse.ArgumentParser:
    """A sub-command whose help is the summary plus the example in `run`'s docstring."""
    command = commands.add_parser(
        name,
        help=summary,
        description=f"{summary}\n\n{run.__doc__}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.set_defaults(command=run)
    return command


def _add_score(commands: Any) -> None:
    score = _add_command(commands, "score", run_score, "Score and tier every account of a file.")
    score.add_argument("input", metavar="INPUT", help="CSV or XLSX export of accounts")
    score.add_argument(
        "--out", required=True, metavar="OUTPUT", help="segmented file; .csv or .xlsx"
    )
    score.add_argument("--config", metavar="CONFIG.json", help="settings (default: the defaults)")
    score.add_argument("--sheet", metavar="NAME", help="sheet to read (default: the largest)")
    score.add_argument(
        "--previous",
        metavar="PREV",
        help="last period's segmented file or snapshot: adds a tier_change column",
    )
    score.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="day renewal windows are counted from (default: today)",
    )


def _add_sample(commands: Any) -> None:
    sample = _add_command(commands, "sample", run_sample, "Write a realistic synthetic book.")
    sample.add_argument("--rows", type=_positive_int, required=True, metavar="N")
    sample.add_argument("--seed", type=int, default=7, metavar="S", help="default 7")
    sample.add_argument("--out", required=True, metavar="FILE", help=".csv or .xlsx")
    sample.add_argument(
        "--previous-quarter",
        metavar="FILE",
        help="also write the same book one quarter earlier (a snapshot to compare with)",
    )


def _add_config(commands: Any) -> None:
    config = _add_command(commands, "config", run_config, "Write the default settings file.")
    config.add_argument("--out", required=True, metavar="CONFIG.json")


def _add_fit(commands: Any) -> None:
    fit = _add_command(commands, "fit", run_fit, "Fit the tier cut-offs to the team's capacity.")
    fit.add_argument("input", metavar="INPUT", help="CSV or XLSX export of accounts")
    fit.add_argument(
        "--config", required=True, metavar="C", help="settings with a capacity section"
    )
    fit.add_argument("--out", required=True, metavar="FITTED.json", help="the fitted settings")
    fit.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="day renewal windows are counted from (default: today)",
    )


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


# --- commands ---------------------------------------------------------------------------------


def run_score(args: argparse.Namespace) -> None:
    """Example:

    python -m segmentation score accounts.xlsx --out segmented.xlsx --config settings.json
    """
    import segmentation as seg
    from segmentation.movement import tier_changes

    fmt = _output_format(args.out)
    for path in (args.input, args.config, args.previous):
        _check_not_a_folder(path)
    if args.config:
        config = _guarded(args.config, seg.load_config, args.config)
    else:
        config = seg.default_config()
    book = _guarded(args.input, seg.load, args.input, sheet=args.sheet)
    # The shell may read the clock; the core never does.
    as_of = args.as_of or dt.date.today()
    result = _guarded(args.config or args.input, seg.segment, book.accounts, config, as_of=as_of)
    changes = None
    if args.previous:
        previous = _guarded(args.previous, seg.load, args.previous)
        tiers = [t.name for t in config.tiers]
        changes = _guarded(args.previous, tier_changes, result, previous.accounts, tiers)
        if "tier_change" in result.columns:  # the input's own column: keep it, renamed
            result = result.rename(columns={"tier_change": "tier_change (input)"})
        result = result.assign(tier_change=changes)
    _guarded(args.out, seg.export, result, args.out, fmt, config=config, report=book.report)
    _print_lines(_score_summary(result, book.report, config, args.out))
    if changes is not None:
        _print_lines([_changes_line(changes, args.previous, previous.accounts, result)])


def run_sample(args: argparse.Namespace) -> None:
    """Example:

    python -m segmentation sample --rows 500 --seed 7 --out sample_data/accounts.csv
    """
    from segmentation.sample import generate_accounts, previous_quarter, write_book

    _output_format(args.out)
    if args.previous_quarter:
        _output_format(args.previous_quarter)
    accounts = generate_accounts(args.rows, seed=args.seed)
    _guarded(args.out, write_book, accounts, args.out)
    print(f"Wrote {len(accounts):,} synthetic accounts (seed {args.seed}) to {args.out}.")
    if args.previous_quarter:
        snapshot = previous_quarter(accounts, seed=args.seed)
        _guarded(args.previous_quarter, write_book, snapshot, args.previous_quarter)
        print(
            f"Wrote the previous quarter ({len(snapshot):,} accounts) to {args.previous_quarter}."
        )


def run_config(args: argparse.Namespace) -> None:
    """Example:

    python -m segmentation config --out settings.json
    """
    import segmentation as seg

    _guarded(args.out, seg.save_config, seg.default_config(), args.out)
    print(f"Wrote the default settings to {args.out}.")


def run_fit(args: argparse.Namespace) -> None:
    """Example:

    python -m segmentation fit accounts.xlsx --config settings.json --out fitted.json

    Each tier with a head-count (capacity.tiers.<tier>.csms) then holds at most the accounts
    its CSMs serve, guard-rails and overrides counted, and as many as ties allow.
    """
    import segmentation as seg
    from segmentation.fitting import fit_cutoffs

    for path in (args.input, args.config):
        _check_not_a_folder(path)
    if Path(args.out).suffix.lower() != ".json":
        raise CommandError(f"{args.out}: the fitted settings are written as .json.")
    config = _guarded(args.config, seg.load_config, args.config)
    book = _guarded(args.input, seg.load, args.input)
    as_of = args.as_of or dt.date.today()
    result = _guarded(args.config, seg.segment, book.accounts, config, as_of=as_of)
    fit = _guarded(args.config, fit_cutoffs, result, config)
    _guarded(args.out, seg.save_config, fit.config, args.out)
    _print_lines([*_fit_table(fit), *fit.lines, *_shadow_lines(result, config)])
    print(f"Wrote the fitted settings to {args.out}.")


def _shadow_lines(result: Any, config: Any) -> list[str]:
    from segmentation.fitting import shadow_prices
    from segmentation.views.tiers import tier_engagement

    lines = []
    for price in shadow_prices(result, config):
        lines += price.words(tier_engagement(config, price.tier) or "its coverage")
    return lines


def _fit_table(fit: Any) -> list[str]:
    width = max(len(t.tier) for t in fit.tiers)
    lines = [f"  {'tier':<{width}}  cut-off     accounts  serves        ARR"]
    for t in fit.tiers:
        cut = "rest" if t.after is None else f"{t.before:g} -> {t.after:g}"
        serves = "-" if t.served is None else f"{t.served:,}"
        lines.append(
            f"  {t.tier:<{width}}  {cut:<10} {t.accounts:>9,}  {serves:>6}  ${t.arr:>13,.0f}"
        )
    return lines


# --- helpers ----------------------------------------------------------------------------------


def _guarded(path: str, action: Callable, *args: Any, **kwargs: Any) -> Any:
    """Run one library call; a problem with the file at `path` becomes a CommandError."""
    from segmentation.errors import ConfigError, InputError

    try:
        return action(*args, **kwargs)
    except (InputError, ConfigError) as problem:
        raise CommandError(_naming_file(path, str(problem))) from None
    except OSError as problem:
        reason = problem.strerror or str(problem)
        raise CommandError(f"{path}: {reason.rstrip('.')}.") from None


def _naming_file(path: str, message: str) -> str:
    """The message on one line, with the file named once."""
    message = " ".join(message.split())
    if path in message or Path(path).name in message:
        return message
    return f"{path}: {message}"


def _check_not_a_folder(path: str | None) -> None:
    if path and Path(path).is_dir():
        raise CommandError(f"{path} is a folder, not a file; give the path of a file.")


def _output_format(path: str) -> str:
    from segmentation.exporting import format_for_path

    return _guarded(path, format_for_path, path)


def _print_lines(lines: list[str]) -> None:
    print("\n".join(lines))


def _score_summary(result: Any, report: Any, config: Any, out: str) -> list[str]:
    from segmentation.views.tiers import group_summary

    lines = [
        f"Read {report.rows_read:,} rows: {report.rows_kept:,} accounts kept, "
        f"{len(report.rows_skipped):,} rows skipped."
    ]
    lines += [f"  line {line}: {reason}" for line, reason in report.rows_skipped[:5]]
    if len(report.rows_skipped) > 5:
        lines.append(f"  ... and {len(report.rows_skipped) - 5:,} more (see the report).")
    table = group_summary(result, "tier", config.tier_names)
    width = max(len(str(name)) for name in table.index)
    for name, row in table.iterrows():
        lines.append(
            f"  {name!s:<{width}}  {int(row['accounts']):>8,} accounts "
            f"({row['share_of_accounts']:>4.0%})  ${row['arr']:>15,.0f} ARR "
            f"({row['share_of_arr']:>4.0%})"
        )
    if config.capacity is not None:
        from segmentation.views.capacity import capacity_lines, capacity_view

        lines.append("CSMs needed per tier (coverage model):")
        lines += capacity_lines(capacity_view(result, config))
    lines.append(f"Wrote {len(result):,} accounts to {out}.")
    return lines


def _changes_line(changes: Any, previous_path: str, previous: Any, result: Any) -> str:
    from segmentation.movement import compare_snapshots

    comparison = compare_snapshots(changes, result, previous)
    parts = [f"{count:,} {name}" for name, count in comparison.counts.items()]
    unknown = comparison.unknown
    extra = f"; {unknown:,} with no comparable previous tier" if unknown else ""
    return (
        f"Tier changes since {previous_path}: {', '.join(parts)}{extra}; "
        f"{comparison.gone:,} accounts of the previous file are no longer in the book."
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
