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
    from segmentation.errors import ConfigError, InputError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.command(args)
    except CommandError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    except (InputError, ConfigError) as problem:  # met outside a _guarded call
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
    _add_calibrate(commands)
    _add_sql(commands)
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
        "--map",
        action="append",
        default=[],
        metavar="canonical=Header",
        help="use this column for that canonical column (repeatable; 'arr=' leaves arr unmapped)",
    )
    score.add_argument(
        "--previous",
        metavar="PREV",
        help="last period's segmented file or snapshot: applies the movement rules and adds "
        "tier_change, held and previous_tier columns",
    )
    score.add_argument(
        "--history",
        nargs="+",
        metavar="FILE",
        help="earlier snapshots (ordered by the date in their names) for min_periods",
    )
    _add_as_of(score)
    score.add_argument(
        "--outcome",
        metavar="COLUMN",
        help="a column of INPUT saying what happened (churned...): the XLSX Summary adds the "
        "calibration tables and AUCs",
    )
    score.add_argument(
        "--engine",
        choices=("pandas", "duckdb"),
        default="pandas",
        help="duckdb: score a .parquet/.csv of canonical columns bigger than memory (warehouse)",
    )
    score.add_argument("--scenario", metavar="NAME", help="score this scenario of the settings")
    score.add_argument(
        "--confidence",
        action="store_true",
        help="add tier_confidence: the share of 1,000 draws (weights +/-10, cut-offs +/-5) "
        "that keep each account's tier",
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
    sample.add_argument(
        "--quarters",
        type=_positive_int,
        metavar="N",
        help="write N quarterly snapshots instead, FILE's name + _YYYY-MM-DD, oldest first",
    )


def _add_as_of(command: Any) -> None:
    """The `--as-of` option every scoring command takes (the core reads no clock)."""
    command.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="day renewal windows are counted from (default: today)",
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
    _add_as_of(fit)


def _add_calibrate(commands: Any) -> None:
    command = _add_command(
        commands, "calibrate", run_calibrate, "Check the tiers against an outcome."
    )
    command.add_argument("input", metavar="INPUT", help="CSV or XLSX export of accounts")
    command.add_argument(
        "--outcome", required=True, metavar="COLUMN", help="yes/no, date or number"
    )
    command.add_argument("--outcomes", metavar="FILE", help="file of account ids and the outcome")
    command.add_argument("--config", metavar="C", help="settings (default: the defaults)")
    _add_as_of(command)
    command.add_argument("--json", metavar="OUT.json", help="write the calibration document")
    command.add_argument(
        "--within-days",
        type=_positive_int,
        default=365,
        metavar="N",
        help="a date outcome counts when it falls up to N days after the as-of day (365)",
    )
    command.add_argument(
        "--number-event",
        choices=("contraction", "expansion"),
        default="contraction",
        help="a number outcome (next-period ARR): which change counts (contraction)",
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
    from segmentation.scenarios import apply_scenario

    if args.engine == "duckdb":
        return run_score_duckdb(args)
    fmt = _output_format(args.out)
    inputs = {"INPUT": args.input, "--config": args.config, "--previous": args.previous}
    inputs |= {f"--history {path}": path for path in args.history or ()}
    _check_paths(inputs, args.out)
    if args.config:
        config = _guarded(args.config, seg.load_config, args.config)
    else:
        config = seg.default_config()
    if args.scenario:  # issue 14: one of the settings' named scenarios, said aloud
        config = _guarded(args.config or "settings", apply_scenario, config, args.scenario)
        print(f"note: scoring scenario '{args.scenario.strip()}' of the settings.")
    overrides = _column_overrides(args.map)
    book = _guarded(
        args.input, seg.load, args.input, sheet=args.sheet, mapping=overrides, hints=config.parsing
    )
    if book.report.read_as_saved:  # the settings' "parsing" section decided these
        print(book.report.saved_line())
    book = _with_saved_mapping(book, dict(config.mapping), overrides, args.input)
    # The shell may read the clock; the core never does.
    as_of = args.as_of or dt.date.today()
    outcome = None
    if args.outcome:
        config, outcome = _score_outcome(args, book, config, as_of, fmt)
    stated = config  # before pinning: relative cut-offs vary by points of share
    config, pinned = _fitted_to_book(config, book, as_of)
    if args.previous or args.history:
        result, previous = _score_against_snapshots(args, book.accounts, config, as_of)
    else:
        result = _guarded(
            args.config or args.input, seg.segment, book.accounts, config, as_of=as_of
        )
    if args.confidence:
        result = _with_confidence(book.accounts, result, stated, as_of)
    report = book.report
    _guarded(args.out, seg.export, result, args.out, fmt, config, report, outcome=outcome)
    _print_lines(_score_summary(result, book.report, config, args.out) + pinned)
    if args.previous or args.history:
        changes = result["tier_change"].astype(object)
        _print_lines(_changes_lines(changes, previous, result, config))


def _score_outcome(
    args: argparse.Namespace, book: Any, config: Any, as_of: dt.date, fmt: str
) -> tuple[Any, Any]:
    """`score --outcome`: the outcome and the settings without metrics that read it, said."""
    from segmentation import calibration

    config, outcome, notes = _guarded(
        args.input, calibration.outcome_for_export, book, config, args.outcome, as_of=as_of
    )
    lines = [f"note: {note}" for note in notes]
    if fmt == "xlsx":
        lines.append(f"note: the Summary sheet holds the calibration against {outcome.label}.")
    else:
        lines.append("note: --outcome adds the calibration to an .xlsx Summary; a CSV has none.")
    _print_lines(lines)
    return config, outcome


def run_sample(args: argparse.Namespace) -> None:
    """Example:

    python -m segmentation sample --rows 500 --seed 7 --out sample_data/accounts.csv
    """
    from segmentation.sample import generate_accounts, previous_quarter, write_book

    _output_format(args.out)
    if args.previous_quarter:
        _output_format(args.previous_quarter)
    accounts = generate_accounts(args.rows, seed=args.seed)
    if args.quarters:
        _write_quarters(accounts, args)
        return
    _guarded(args.out, write_book, accounts, args.out)
    print(f"Wrote {len(accounts):,} synthetic accounts (seed {args.seed}) to {args.out}.")
    if args.previous_quarter:
        snapshot = previous_quarter(accounts, seed=args.seed)
        _guarded(args.previous_quarter, write_book, snapshot, args.previous_quarter)
        print(
            f"Wrote the previous quarter ({len(snapshot):,} accounts) to {args.previous_quarter}."
        )


def _write_quarters(accounts: Any, args: argparse.Namespace) -> None:
    from segmentation.sample import quarter_history, write_book

    out = Path(args.out)
    for as_of, book in quarter_history(accounts, args.quarters, seed=args.seed):
        path = out.with_name(f"{out.stem}_{as_of.isoformat()}{out.suffix}")
        _guarded(str(path), write_book, book, path)
        print(f"Wrote {len(book):,} accounts as of {as_of} to {path}.")


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

    _check_paths({"INPUT": args.input, "--config": args.config}, args.out)
    if Path(args.out).suffix.lower() != ".json":
        raise CommandError(f"{args.out}: the fitted settings are written as .json.")
    config = _guarded(args.config, seg.load_config, args.config)
    book = _guarded(args.input, seg.load, args.input)
    as_of = args.as_of or dt.date.today()
    metric_scores = _guarded(args.input, seg.score_metrics, book.accounts, config, as_of=as_of)
    config = seg.fitted_config(metric_scores, config)  # relative cut-offs: this book's numbers
    result = _guarded(args.config, seg.tier_accounts, metric_scores, config)
    fit = _guarded(args.config, fit_cutoffs, result, config, as_of=as_of)
    _guarded(args.out, seg.save_config, fit.config, args.out)
    _print_lines([*_fit_table(fit), *fit.lines, *_shadow_lines(result, config, as_of)])
    print(f"Wrote the fitted settings to {args.out}.")


def _shadow_lines(result: Any, config: Any, as_of: dt.date) -> list[str]:
    from segmentation.fitting import shadow_prices
    from segmentation.views.tiers import tier_engagement

    lines = []
    for price in shadow_prices(result, config, as_of=as_of):
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


def run_calibrate(args: argparse.Namespace) -> None:
    """Example:

    python -m segmentation calibrate accounts.csv --outcome Churned --json calibration.json
    """
    import json

    import segmentation as seg
    from segmentation import calibration

    _check_paths(
        {"INPUT": args.input, "--outcomes": args.outcomes, "--config": args.config}, args.json
    )
    config = _guarded(args.config, seg.load_config, args.config) if args.config else None
    found = _guarded(
        args.outcomes or args.input,
        calibration.calibrate_files,
        args.input,
        args.outcome,
        outcomes_path=args.outcomes,
        config=config,
        as_of=args.as_of or dt.date.today(),
        window_days=args.within_days,
        number_event=args.number_event,
    )
    if args.json:
        text = json.dumps(calibration.to_document(found), indent=2)
        _guarded(args.json, Path(args.json).write_text, text + "\n", encoding="utf-8")
    _print_lines(calibration.summary_lines(found))


# --- the warehouse: sql, and score --engine duckdb (docs/warehouse.md) ------------------------


def _add_sql(commands: Any) -> None:
    from segmentation.warehouse import DIALECTS

    command = _add_command(commands, "sql", run_sql, "Print the settings as one SQL query.")
    command.add_argument("--config", metavar="C", help="settings (default: the defaults)")
    command.add_argument("--dialect", choices=DIALECTS, default="duckdb")
    command.add_argument("--table", default="accounts", help="table of canonical columns")
    command.add_argument(
        "--columns",
        metavar="FILE",
        help="a .csv/.parquet with the table's columns: the query leaves out what it lacks",
    )
    command.add_argument(
        "--as-of", type=_iso_date, metavar="YYYY-MM-DD", help="default: the engine's CURRENT_DATE"
    )
    command.add_argument("--dbt", metavar="MODEL.sql", help="also write it as a dbt model")


def run_sql(args: argparse.Namespace) -> None:
    """Example:

    python -m segmentation sql --config settings.json --dialect snowflake --table accounts
    """
    import segmentation as seg
    from segmentation.warehouse import compile_query, dbt_model, table_columns

    config = _guarded(args.config, seg.load_config, args.config) if args.config else None
    config = config or seg.default_config()
    columns = _guarded(args.columns, table_columns, args.columns) if args.columns else None
    where = dict(table=args.table, dialect=args.dialect, as_of=args.as_of)
    query = _guarded(args.config or "settings", compile_query, config, columns, **where)
    _warn_compiled(query, config)
    if args.dbt:
        model = dbt_model(
            config, args.table, columns=columns, dialect=args.dialect, as_of=args.as_of
        )
        _guarded(args.dbt, Path(args.dbt).write_text, model)
        print(f"Wrote the dbt model to {args.dbt}.", file=sys.stderr)
    print(query.sql)


def run_score_duckdb(args: argparse.Namespace) -> None:
    """Score a big Parquet/CSV of canonical columns with DuckDB, streaming the output."""
    import segmentation as seg
    from segmentation.warehouse import score_file, tier_counts

    if any(getattr(args, name, None) for name in ("previous", "sheet", "history", "outcome")):
        raise CommandError(
            "--engine duckdb takes none of --previous, --history, --outcome or --sheet."
        )
    config = _guarded(args.config, seg.load_config, args.config) if args.config else None
    config = config or seg.default_config()
    as_of = args.as_of or dt.date.today()

    def progress(share: float) -> None:
        print(f"progress: {share:.0f}%", file=sys.stderr, flush=True)

    query, rows = _guarded(
        args.input, score_file, args.input, args.out, config, as_of=as_of, progress=progress
    )
    _warn_compiled(query, config)
    print(f"Scored {rows:,} accounts with DuckDB.")
    for tier, count in _guarded(args.out, tier_counts, args.out, config):
        print(f"  {tier:<16} {count:>12,} accounts")
    print(f"Wrote {rows:,} accounts to {args.out}.")


def _warn_compiled(query: Any, config: Any) -> None:
    """Say aloud what compiling decided: columns left out, pillars without data."""
    from segmentation.warehouse.query import left_out_words

    for column in query.left_out:
        print(f"warning: {left_out_words(column)}.", file=sys.stderr)
    for note in query.notes:
        print(f"note: {note}.", file=sys.stderr)
    for rule in query.not_in_sql:
        print(f"warning: the query does not apply {rule}.", file=sys.stderr)
    for key in query.empty_pillars:
        label = config.pillar(key).label
        print(f"warning: no column feeds {label}: it is left out of priority.", file=sys.stderr)


# --- helpers ----------------------------------------------------------------------------------


def _guarded(path: str, action: Callable, *args: Any, **kwargs: Any) -> Any:
    """Run one library call; a problem with the file at `path` becomes a CommandError."""
    from segmentation.errors import ConfigError, InputError

    try:
        return action(*args, **kwargs)
    except (InputError, ConfigError) as problem:
        raise CommandError(_naming_file(path, str(problem))) from None
    except Exception as problem:
        system = _os_error(problem)
        if system is None:
            raise
        message = f"{path}: {(system.strerror or str(system)).rstrip('.')}."
        # What a failed write left half-open (a zip writer on a full disk) is freed when this
        # block ends; its __del__ would print "Exception ignored..." next to the error line.
        sys.unraisablehook = _ignore
    system = None
    import gc

    gc.collect()
    sys.unraisablehook = sys.__unraisablehook__
    raise CommandError(message)


def _ignore(unraisable: Any) -> None:
    """An unraisable-exception hook that says nothing."""


def _os_error(problem: BaseException) -> OSError | None:
    """The OSError behind an exception (xlsxwriter wraps a full disk in FileCreateError)."""
    for candidate in (problem, problem.__cause__, problem.__context__, *problem.args[:1]):
        if isinstance(candidate, OSError):
            return candidate
    return None


def _naming_file(path: str, message: str) -> str:
    """The message on one line, with the file named once."""
    message = " ".join(message.split())
    if path in message or Path(path).name in message:
        return message
    return f"{path}: {message}"


def _column_overrides(pairs: list[str]) -> dict[str, str | None]:
    """`--map canonical=Header` options as a mapping; an empty header leaves the column unmapped."""
    overrides: dict[str, str | None] = {}
    for pair in pairs:
        canonical, equals, header = pair.partition("=")
        if not equals or not canonical.strip():
            raise CommandError(
                f"--map {pair!r}: give it as canonical=Header, for example --map arr='Net Amount'."
            )
        overrides[canonical.strip()] = header.strip() or None
    return overrides


def _check_paths(inputs: dict[str, str | None], out: str | None) -> None:
    """Inputs must be regular files (a FIFO or a device would hang or never end), and the
    output must not be one of them (writing it would destroy the input)."""
    import stat

    for option, path in inputs.items():
        if not path or not os.path.exists(path):
            continue
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise CommandError(f"{path} is a folder, not a file; give the path of a file.")
        if not stat.S_ISREG(mode):
            raise CommandError(
                f"{path} ({option}) is not a regular file (a pipe or a device); "
                "save it as a file and give that path."
            )
        if out and os.path.exists(out) and os.path.samefile(path, out):
            raise CommandError(
                f"{out} is the same file as {option} {path}; writing it would "
                "overwrite that file, so give another output path."
            )


def _output_format(path: str) -> str:
    from segmentation.exporting import format_for_path

    return _guarded(path, format_for_path, path)


def _with_saved_mapping(book: Any, saved: dict, overrides: dict, path: str) -> Any:
    """The settings' `mapping` applied where the file has those headers (--map wins)."""
    import segmentation as seg
    from segmentation.loading.mapping import confirmed

    headers = set(book.raw.columns)
    usable = {c: h for c, h in saved.items() if c not in overrides and h in headers}
    for canonical, header in saved.items():
        if canonical not in overrides and header not in headers:
            print(
                f"warning: the settings map {canonical} to '{header}', which {path} does not "
                "have: matched automatically instead",
                file=sys.stderr,
            )
    why = dict.fromkeys(usable, "given by the settings' mapping")
    if all(book.mapping.get(c) == h for c, h in usable.items()):  # no need to read it again
        book.report.matches = confirmed(book.report.matches, why)
        return book
    return _guarded(path, seg.remap, book, {**book.mapping, **usable, **overrides}, why)


def _fitted_to_book(config: Any, book: Any, as_of: dt.date) -> tuple[Any, list[str]]:
    """Warn of what changes the result; relative cut-offs pinned to this book (and the words)."""
    import segmentation as seg
    from segmentation.loading.mapping import implausible_arr
    from segmentation.rules.metrics import learned_order_words
    from segmentation.rules.tiers import describe_pinned

    for match in book.report.low_confidence_matches():
        canonical = match.canonical
        print(f"warning: {match.warning()}; choose with --map {canonical}=HEADER", file=sys.stderr)
    if arr_problem := implausible_arr(book.accounts, book.mapping):
        print(f"warning: {arr_problem}", file=sys.stderr)
    metric_scores = seg.score_metrics(book.accounts, config, as_of=as_of)
    for problem in seg.book_warnings(metric_scores, config):
        print(f"warning: {problem}", file=sys.stderr)
    fitted = seg.fitted_config(metric_scores, config)
    said = [describe_pinned(config, fitted)] if fitted != config else []
    return fitted, said + learned_order_words(metric_scores)


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


def _score_against_snapshots(args: argparse.Namespace, accounts: Any, config: Any, as_of: Any):
    """The book against its earlier snapshots (--history, then --previous as the latest)."""
    import segmentation as seg
    from segmentation.loading.settings_sheet import settings_from_export
    from segmentation.movement import Snapshot, score_against, snapshot_date

    paths = [*(args.history or ()), *([args.previous] if args.previous else [])]
    snapshots = []
    for path in paths:  # undated files keep their order: --history's as given, --previous last
        when = snapshot_date(Path(path).name)
        earlier = _guarded(path, seg.load, path).accounts
        then = settings_from_export(_guarded(path, Path(path).read_bytes))
        snapshots.append(Snapshot(path, earlier, when, then))
    result, _, history = _guarded(
        paths[-1], score_against, accounts, config, snapshots, as_of=as_of
    )
    return result, history[-1]


def _changes_lines(changes: Any, previous: Any, result: Any, config: Any) -> list[str]:
    from segmentation.movement import compare_snapshots, held_counts, settings_changes

    comparison = compare_snapshots(changes, result, previous.snapshot.accounts)
    parts = [f"{count:,} {name}" for name, count in comparison.counts.items()]
    unknown = comparison.unknown
    extra = f"; {unknown:,} with no comparable previous tier" if unknown else ""
    source = "its own tiers" if previous.recorded is not None else "scored with these settings"
    lines = [
        f"Tier changes since {previous.snapshot.name} ({source}): {', '.join(parts)}{extra}; "
        f"{comparison.gone:,} accounts of the previous file are no longer in the book."
    ]
    changes_since = settings_changes(previous.snapshot.settings, config)
    if changes_since is not None:
        lines.append(
            f"Settings of {previous.snapshot.name} read back: "
            f"{len(changes_since):,} lines of the criteria differ from these settings."
        )
    held = held_counts(result)
    if config.movement.active:
        words = ", ".join(f"{n:,} by {rule.replace('_', ' ')}" for rule, n in held.items())
        total = sum(held.values())
        accounts = f"{total:,} account" + ("" if total == 1 else "s")
        lines.append(f"Held by the movement rules: {accounts} ({words or 'none'}).")
    return lines


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def _with_confidence(accounts: Any, result: Any, config: Any, as_of: dt.date) -> Any:
    """`score --confidence` (issue 14): the column added, what was sampled said aloud."""
    import segmentation as seg
    from segmentation.confidence import confidence_for, uniform_ranges
    from segmentation.exporting.columns import with_confidence

    scores = seg.score_metrics(accounts, config, as_of=as_of)
    confidence, lines = confidence_for(scores, result, config, uniform_ranges(config))
    _print_lines([f"note: {line}" for line in lines])
    return with_confidence(result, confidence.tier_confidence)
