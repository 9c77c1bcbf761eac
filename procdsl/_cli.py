"""The ``procdsl`` command: explain, check, format and rewrite process strings from a shell.

::

    procdsl explain 'doc/convert,target_png|sys/saveas,o_…'     what it does, base64 decoded
    procdsl check STRING...            (or one per line on stdin)  exit 0 if all are valid, else 1
    procdsl format STRING...           the canonical spelling
    procdsl python STRING              procdsl code that builds the same value
    (for explain, check, format and python, STRING '-' reads the strings from stdin, one a line)
    procdsl url BUCKET KEY STRING      a signed GET URL (needs procdsl[submit] and credentials)
    procdsl submit BUCKET KEY STRING   start an asynchronous job
    procdsl submit --jobs FILE.jsonl --journal PATH   many jobs, resumable (one JSON result per line)
    procdsl submit --jobs FILE.jsonl --store sqlite:PATH|postgresql://...   shared by processes or machines
    procdsl spec [--schema]            the operation catalogue as JSON
    procdsl render STRING IN OUT       apply an image pipeline to a local file (needs procdsl[render])
    procdsl explain STRING --render IN [--picture OUT]   also write a before/after PNG

Mistakes in the input print a message with a caret under the column and exit
1; usage mistakes exit 2; nothing prints a traceback unless ``--debug`` is given.
A closed standard output (``procdsl spec | head``) ends quietly with status 141
(128 + SIGPIPE, as a shell reports a command killed by a closed pipe).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
import warnings
from typing import IO, Any, Callable, Dict, Iterator, Optional, Sequence, Tuple

from ._diagnostics import Diagnostic, check, prepared_source, render
from ._explain import canonical, explain, parse_leniently
from ._parser import Context, parse
from ._pycode import to_python
from ._stages import Process
from .errors import ProcessError, SaveAsKeyWarning

__all__ = ["main"]

_COLORS = {"bold": "1", "error": "31;1", "warn": "33", "ok": "32", "name": "36", "value": "1", "dim": "2"}


class _UserError(Exception):
    """A mistake the user can fix (missing credentials, no submit layer): message only."""


class _UsageError(_UserError):
    """The command cannot do this with that input (``url`` of a save-as job): exit status 2."""


#: Exit status after a closed standard output (128 + SIGPIPE).
EXIT_BROKEN_PIPE = 141


class _Out:
    """Where to print, with colour only on a terminal (and never with NO_COLOR)."""

    def __init__(self, stdout: IO[str], stderr: IO[str], color: str) -> None:
        self.stdout, self.stderr = stdout, stderr
        self._color = {"never": False, "always": True}.get(color)

    def colored(self, stream: IO[str]) -> bool:
        if self._color is not None:
            return self._color
        isatty = getattr(stream, "isatty", None)
        return bool(isatty and isatty()) and "NO_COLOR" not in os.environ

    def styler(self, stream: IO[str]) -> Callable[[str, str], str]:
        if not self.colored(stream):
            return lambda _kind, text: text
        return lambda kind, text: f"\033[{_COLORS[kind]}m{text}\033[0m" if kind in _COLORS else text

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def err(self, text: str) -> None:
        print(text, file=self.stderr)

    def error(self, where: str, exc: BaseException) -> None:
        """A compiler-style error: ``where: error: message``, the source, a caret."""
        paint = self.styler(self.stderr)
        message = exc.message if isinstance(exc, ProcessError) else str(exc)
        column = ""
        if isinstance(exc, ProcessError) and exc.position is not None:
            column = f":{exc.position + 1}"
        self.err(f"{where}{column}: {paint('error', 'error:')} {message}")
        if isinstance(exc, ProcessError) and exc.caret():
            source, caret = exc.caret().rsplit("\n", 1)
            self.err(f"  {source}\n  {paint('error', caret)}")

    def diagnostic(self, where: str, source: str, diagnostic: Diagnostic) -> None:
        """One ``check`` diagnostic, compiler style, coloured by severity."""
        paint = self.styler(self.stderr)
        first, *rest = render(source, diagnostic, where).split("\n")
        kind = "error" if diagnostic.severity == "error" else "warn"
        label = f"{diagnostic.severity}:"
        self.err(first.replace(f" {label} ", f" {paint(kind, label)} ", 1))
        for line in rest:
            self.err(paint(kind, line) if line.strip().startswith(("^", "hint:")) else line)

    def note(self, text: str) -> None:
        self.err(self.styler(self.stderr)("warn", f"note: {text}"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="procdsl",
        description="Explain, check and rewrite Alibaba Cloud OSS process strings "
        "(x-oss-process / x-oss-async-process).",
        epilog="Run 'procdsl COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"procdsl {_version()}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour output (default: on a terminal)"
    )
    common.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=description, parents=[common])

    p = command(
        "explain",
        "describe what a process string does",
        "Show the stages, operations and parameters of a process string: readable names, wire keys, "
        "units, base64 values decoded, documented server defaults, and warnings. Unknown operations "
        "or parameters are shown as kept verbatim (lenient parsing), with a note.",
    )
    p.add_argument(
        "string", metavar="STRING", help="a process string (quote it for the shell); '-' reads one a line from stdin"
    )
    p.add_argument("--json", action="store_true", help="print the explanation as JSON (one document a line for '-')")
    p.add_argument("--strict", action="store_true", help="fail instead of falling back to lenient parsing")
    p.add_argument(
        "--render",
        metavar="IN",
        help="also render the image pipeline on the local image IN and write a before/after PNG (procdsl[render])",
    )
    p.add_argument(
        "--picture",
        metavar="OUT",
        default="before-after.png",
        help="with --render: where to write the before/after PNG (default: before-after.png)",
    )

    p = command(
        "check",
        "validate process strings (exit 0 when all are valid)",
        "Check each STRING (or each non-empty line of standard input) and report every problem at once, "
        "compiler style: column, a caret, and a fix drawn from the catalogue (wire keys, procdsl's "
        "parameter names, enum values, action names). The exit status is 1 if any string has an error.",
    )
    p.add_argument("strings", metavar="STRING", nargs="*", help="process strings; none or '-' reads standard input")
    p.add_argument(
        "--lenient", action="store_true", help="accept unknown operations and parameters (kept verbatim), with a note"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")

    p = command(
        "format",
        "print the canonical spelling",
        "Print each process string in canonical form: parameters in declared order, URL-safe base64 "
        "without padding, sys/notify for a bare |notify.",
    )
    p.add_argument("strings", metavar="STRING", nargs="*", help="process strings; none or '-' reads standard input")
    p.add_argument("--strict", action="store_true", help="fail instead of falling back to lenient parsing")

    p = command(
        "python",
        "print procdsl code that builds the value",
        "Print Python code that rebuilds the parsed value with procdsl's builders.",
    )
    p.add_argument("string", metavar="STRING", help="a process string; '-' reads one a line from stdin")
    p.add_argument(
        "--name", default="process", help="the variable to assign (default: process; NAME_1, NAME_2, … for several)"
    )
    p.add_argument("--strict", action="store_true", help="fail instead of falling back to lenient parsing")

    for name, help, description in (
        (
            "url",
            "print a signed GET URL for a synchronous process",
            "Sign a GET URL for BUCKET/KEY with the process string as x-oss-process. Credentials come "
            "from OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET (and OSS_SESSION_TOKEN); needs procdsl[submit].",
        ),
        (
            "submit",
            "start an asynchronous job (x-oss-async-process)",
            "Send the process string as an x-oss-async-process job on BUCKET/KEY and print the "
            "response (task id). Credentials come from OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET (and "
            "OSS_SESSION_TOKEN); needs procdsl[submit].",
        ),
    ):
        p = command(name, help, description)
        bulk = name == "submit"  # BUCKET KEY STRING, or --jobs FILE
        p.add_argument("bucket", metavar="BUCKET", nargs="?" if bulk else None)
        p.add_argument("key", metavar="KEY", help="the source object key", nargs="?" if bulk else None)
        p.add_argument("string", metavar="STRING", help="a process string", nargs="?" if bulk else None)
        if bulk:
            p.add_argument(
                "--jobs",
                metavar="FILE.jsonl",
                help='submit many jobs: one {"bucket": ..., "key": ..., "process": ...} per line ("-": stdin); '
                "prints one JSON result per line, exit 1 unless all were accepted",
            )
            p.add_argument(
                "--journal",
                metavar="PATH",
                help="with --jobs: record each job here (JSON Lines, locked while in use); rerun with the same file "
                "to resume: a job OSS accepted is never sent again, whatever the order of the list",
            )
            p.add_argument(
                "--store",
                metavar="URL",
                help="with --jobs: share the record between processes or machines instead of --journal: "
                "sqlite:PATH or postgresql://... (needs procdsl[postgres])",
            )
            p.add_argument(
                "--wait",
                action="store_true",
                help="with --journal: wait for another process using the journal to finish instead of failing",
            )
            p.add_argument("--concurrency", type=int, default=16, help="with --jobs: requests in flight (default 16)")
            p.add_argument(
                "--grace",
                type=float,
                default=5.0,
                help="with --jobs: seconds Ctrl-C waits for answers in flight before exiting (default 5)",
            )
            p.add_argument(
                "--resubmit-unknown",
                action="store_true",
                help="with --jobs: send again the jobs whose outcome is unknown (a task may exist: may duplicate it)",
            )
        p.add_argument(
            "--region",
            default=os.environ.get("OSS_REGION"),
            help="region id such as cn-hangzhou (default: $OSS_REGION)",
        )
        if name == "url":
            p.add_argument("--expires", type=int, default=600, help="seconds the URL stays valid (default: 600)")
        p.add_argument(
            "--header", action="append", default=[], metavar="NAME:VALUE",
            help="an extra request header, signed (e.g. x-oss-request-payer:requester); repeatable",
        )  # fmt: skip
        p.add_argument(
            "--query", action="append", default=[], metavar="NAME=VALUE",
            help="an extra query parameter (e.g. versionId=...); repeatable",
        )  # fmt: skip

    p = command(
        "render",
        "apply an image pipeline to a local image, as OSS would",
        "Render the synchronous image pipeline STRING on the image file IN and write the result to OUT "
        "(an image, or the JSON of info and average-hue). Needs procdsl[render] (Pillow).",
    )
    p.add_argument("string", metavar="STRING", help="an image/… process string")
    p.add_argument("input", metavar="IN", help="the source image file")
    p.add_argument("output", metavar="OUT", help="where to write the result ('-' for standard output)")
    p.add_argument(
        "--object",
        metavar="KEY=FILE",
        action="append",
        default=[],
        help="a watermark image the pipeline names by object key (repeatable)",
    )

    p = command(
        "spec",
        "print the operation catalogue as JSON",
        "Print every family, action and parameter (wire key, Python name, type, range, default, "
        "encoding, sync/async, doc page) as one versioned JSON document.",
    )
    p.add_argument("--schema", action="store_true", help="print the JSON Schema of the document instead")
    p.add_argument("--indent", type=int, default=2, help="JSON indentation (default: 2)")
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: Optional[Sequence[str]] = None, *, stdin: Optional[IO[str]] = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 invalid input, 2 usage)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    out = _Out(sys.stdout, sys.stderr, getattr(args, "color", "auto"))
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    handler = _COMMANDS[args.command]
    try:
        status = handler(args, out, stdin if stdin is not None else sys.stdin)
        out.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except ProcessError as exc:
        out.error("procdsl", exc)
        return 1
    except _UsageError as exc:
        out.err(f"procdsl {args.command}: error: {exc}")
        return 2
    except _UserError as exc:
        out.err(f"procdsl: error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _drop_stdout(out.stdout)
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        if _is_submit_error(exc) and not args.debug:
            out.err(f"procdsl: error: {exc}")
            return 1
        if args.debug:
            traceback.print_exc()
        else:
            out.err(f"procdsl: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)")
        return 1


def _drop_stdout(stream: IO[str]) -> None:
    """After a closed pipe: send what is still buffered to /dev/null, so the interpreter's
    final flush does not print "Exception ignored … BrokenPipeError"."""
    try:
        fileno = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests pass a StringIO)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fileno)
    finally:
        os.close(devnull)


def _is_submit_error(exc: BaseException) -> bool:
    """An error of the submit layer (credentials, OSS error codes, transport): no traceback."""
    return any(c.__name__ == "SubmitError" and c.__module__.startswith("procdsl.submit") for c in type(exc).__mro__)


def _inputs(strings: Sequence[str], stdin: IO[str]) -> Iterator[Tuple[str, str]]:
    """``(where, string)`` for each argument, or each non-empty stdin line."""
    if not strings or list(strings) == ["-"]:
        for number, line in enumerate(stdin, 1):
            text = line.strip()
            if text and not text.startswith("#"):
                yield f"<stdin>:{number}", text
        return
    for number, text in enumerate(strings, 1):
        yield f"<arg {number}>", text


def _load(text: str, strict: bool, out: _Out) -> Any:
    """Parse strictly, or fall back to lenient parsing with a note on stderr."""
    if strict:
        return _parse(text)
    value, error = parse_leniently(text)
    if _invalid(value):
        # A known operation OSS would refuse: name the first problem where it stands.
        errors = [d for d in check(text, strict=False) if d.severity == "error"]
        message, position = (errors[0].message, errors[0].position) if errors else ("OSS would refuse it", None)
        raise ProcessError(message, source=prepared_source(text), position=position)
    if error is not None:
        out.note(f"strict parsing failed ({error}); parsed leniently: unknown parts are kept verbatim")
    return value


def _invalid(value: Process) -> bool:
    """True when lenient parsing kept a known operation verbatim because OSS would refuse it."""
    from ._diagnostics import operations_of
    from ._raw import RawOperation

    return any(isinstance(op, RawOperation) and op.reason is not None for op in operations_of(value))


def _parse(text: str, context: Optional[Context] = None) -> Process:
    """Strict parse; ``SaveAsKeyWarning`` is reported by ``explain``, not raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaveAsKeyWarning)
        return parse(text, context=context)


def _cmd_explain(args: argparse.Namespace, out: _Out, stdin: IO[str]) -> int:
    if args.string != "-":
        status = _explain_one(args, out, "<arg 1>", args.string, json_indent=2)
        if args.render is not None and status == 0:
            renderer = _renderer()
            picture = renderer.before_after(_read_file(args.render), _parse(args.string, "sync"))
            _write_file(args.picture, picture)
            out.note(f"wrote {args.picture} (before/after, {len(picture)} bytes)")
        return status
    if args.render is not None:
        raise _UserError("--render takes one STRING, not '-' (standard input)")
    failures = 0
    for number, (where, text) in enumerate(_inputs(["-"], stdin)):
        if number and not args.json:
            out.out("")
        try:
            failures += _explain_one(args, out, where, text, json_indent=None)  # JSON Lines for stdin
        except ProcessError as exc:
            failures += 1
            out.error(where, exc)
    return 1 if failures else 0


def _explain_one(args: argparse.Namespace, out: _Out, where: str, text: str, *, json_indent: Optional[int]) -> int:
    """Describe one string; 1 when it has errors (printed to stderr), else 0."""
    result = explain(text, strict=args.strict)
    if args.json:
        out.out(result.to_json(indent=json_indent))
    else:
        out.out(result.text(style=out.styler(out.stdout)))
    # The string is described either way; its errors go to stderr and set the status.
    errors = [d for d in result.diagnostics if d.severity == "error"]
    source = prepared_source(text)
    for diagnostic in errors:
        out.diagnostic(where, source, diagnostic)
    return 1 if errors else 0


# -- render (procdsl[render]) ---------------------------------------------------------------


def _renderer() -> Any:
    try:
        return importlib.import_module("procdsl.render")  # lazily: the core never imports it
    except ImportError as exc:
        raise _UserError(
            f"rendering is not available ({exc}); install it with: pip install 'procdsl[render]'"
        ) from None


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError as exc:
        raise _UserError(f"cannot read {path}: {exc.strerror or exc}") from None


def _write_file(path: str, data: bytes) -> None:
    try:
        with open(path, "wb") as stream:
            stream.write(data)
    except OSError as exc:
        raise _UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def _cmd_render(args: argparse.Namespace, out: _Out, stdin: IO[str]) -> int:
    renderer = _renderer()
    objects: Dict[str, bytes] = {}
    for item in args.object:
        key, sep, path = item.partition("=")
        if not sep or not key or not path:
            raise _UserError(f"--object takes KEY=FILE; got {item!r}")
        objects[key] = _read_file(path)
    result = renderer.render_result(_read_file(args.input), _parse(args.string, "sync"), objects=objects)
    if args.output == "-":
        out.stdout.flush()
        target = getattr(out.stdout, "buffer", None)
        if target is None:
            raise _UserError("standard output cannot take bytes here; give a file name")
        target.write(result.data)
        target.flush()
    else:
        _write_file(args.output, result.data)
        out.note(f"wrote {args.output} ({result.media_type}, {len(result.data)} bytes)")
    return 0


def _cmd_check(args: argparse.Namespace, out: _Out, stdin: IO[str]) -> int:
    failures = 0
    paint = out.styler(out.stdout)
    for where, text in _inputs(args.strings, stdin):
        source = prepared_source(text)
        diagnostics = check(text, strict=not args.lenient)
        for diagnostic in diagnostics:
            out.diagnostic(where, source, diagnostic)
        if any(d.severity == "error" for d in diagnostics):
            failures += 1
            continue
        if args.lenient:
            try:
                _parse(text)
            except ProcessError as exc:
                out.note(f"{where}: strict parsing failed ({exc}); accepted leniently")
        if not args.quiet:
            out.out(f"{paint('ok', 'ok')}  {text}")
    return 1 if failures else 0


def _cmd_format(args: argparse.Namespace, out: _Out, stdin: IO[str]) -> int:
    failures = 0
    for where, text in _inputs(args.strings, stdin):
        try:
            value = _load(text, args.strict, out)
        except ProcessError as exc:
            failures += 1
            out.error(where, exc)
            continue
        out.out(canonical(value).to_wire())
    return 1 if failures else 0


def _cmd_python(args: argparse.Namespace, out: _Out, stdin: IO[str]) -> int:
    if not args.name.isidentifier():
        raise _UserError(f"--name must be a Python identifier; got {args.name!r}")
    if args.string != "-":
        out.stdout.write(to_python(_load(args.string, args.strict, out), name=args.name))
        return 0
    inputs = list(_inputs(["-"], stdin))
    failures = 0
    for number, (where, text) in enumerate(inputs, 1):
        try:
            value = _load(text, args.strict, out)
        except ProcessError as exc:
            failures += 1
            out.error(where, exc)
            continue
        name = args.name if len(inputs) == 1 else f"{args.name}_{number}"
        out.stdout.write(("\n" if number > 1 else "") + to_python(value, name=name))
    return 1 if failures else 0


def _client(region: Optional[str]) -> Any:
    try:
        submit: Any = importlib.import_module("procdsl.submit")  # lazily: the core never imports it
    except ImportError as exc:
        raise _UserError(
            f"the submit layer is not available ({exc}); install it with: pip install 'procdsl[submit]'"
        ) from None
    if not region:
        raise _UserError("no region: pass --region (such as cn-hangzhou) or set OSS_REGION")
    missing = [name for name in ("OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET") if not os.environ.get(name)]
    if missing:
        raise _UserError(f"no credentials: set {' and '.join(missing)} (and OSS_SESSION_TOKEN for STS)")
    try:
        return submit.Client(region=region, credentials=submit.Credentials.from_env())
    except ProcessError:
        raise
    except (ValueError, KeyError, LookupError) as exc:
        raise _UserError(f"cannot create the OSS client: {exc}") from None


def _cmd_url(args: argparse.Namespace, out: _Out, stdin: IO[str]) -> int:
    from ._stages import GET_STAGES

    value = _parse(args.string, "sync")
    if not isinstance(value, GET_STAGES):
        raise _UsageError(
            f"a URL can only carry a process read with GET; this is a {type(value).__name__} "
            "(|sys/saveas writes an object: send it with POST ?x-oss-process, Client.process)"
        )
    client = _client(args.region)
    if args.expires <= 0:
        raise _UserError(f"--expires must be a positive number of seconds; got {args.expires}")
    out.out(str(client.sign_url(args.bucket, args.key, value, expires=args.expires, **_extras(args))))
    return 0


def _extras(args: argparse.Namespace) -> Dict[str, Dict[str, str]]:
    """``--header``/``--query`` as the ``headers``/``query`` arguments of the client (only those given)."""
    extras: Dict[str, Dict[str, str]] = {}
    for option, name, sep in (("header", "headers", ":"), ("query", "query", "=")):
        items = getattr(args, option, None) or []
        for item in items:
            key, found, value = item.partition(sep)
            if not found or not key.strip():
                raise _UserError(f"--{option} takes NAME{sep}VALUE; got {item!r}")
            extras.setdefault(name, {})[key.strip()] = value.strip()
    return extras


def _job_lines(path: str, stdin: IO[str], unreadable: Callable[[str], Any]) -> Iterator[Any]:
    """``(bucket, key, process[, id])`` from each non-empty JSONL line, read lazily; a bad line is ``unreadable``."""
    stream = stdin if path == "-" else open(path, encoding="utf-8", errors="surrogateescape")  # noqa: SIM115
    try:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):  # not JSON, or nested too deeply to read
                record = None
            fields = [record.get(k) for k in ("bucket", "key", "process")] if isinstance(record, dict) else []
            given = record.get("id") if isinstance(record, dict) else None
            texts = [f for f in fields if isinstance(f, str)]
            if len(texts) != 3 or not isinstance(given, (str, type(None))):
                yield unreadable(
                    f'{path} line {number}: expected {{"bucket": ..., "key": ..., "process": ...[, "id": ...]}}'
                )
                continue
            yield (*texts, given) if given is not None else tuple(texts)
    finally:
        if stream is not stdin:
            stream.close()


def _store(args: argparse.Namespace, submit: Any) -> Any:
    """The exactly-once record: a journal path, or a store opened from ``--store``; None without either."""
    if args.store is not None and args.journal is not None:
        raise _UserError("give --journal PATH or --store URL, not both")
    if args.journal is not None:
        return submit.JournalStore(args.journal, wait=args.wait)
    if args.store is None:
        return None
    if args.store.startswith("sqlite:"):
        return submit.SQLiteStore(args.store[len("sqlite:") :])
    if args.store.startswith(("postgresql://", "postgres://")):
        return submit.PostgresStore(args.store)
    raise _UserError(f"--store must be sqlite:PATH or postgresql://...; got {args.store!r}")


def _silence(stream: IO[str]) -> None:
    """Point a closed pipe at /dev/null so the interpreter's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (captured in tests)
        pass


def _cmd_submit_many(args: argparse.Namespace, out: _Out, stdin: IO[str]) -> int:
    """Exit 0 only if every job was accepted (now or before) or is a duplicate; 1 otherwise; 130 on Ctrl-C."""
    if args.bucket is not None:
        raise _UserError("give either BUCKET KEY STRING or --jobs FILE, not both")
    if args.jobs != "-" and not os.path.isfile(args.jobs):
        raise _UserError(f"no such jobs file: {args.jobs}")
    client = _client(args.region)
    submit: Any = importlib.import_module("procdsl.submit")
    store = _store(args, submit)
    counts: Dict[str, int] = {"accepted": 0, "failed": 0, "unknown": 0, "skipped": 0}
    resumed = 0
    try:
        with client:
            results = client.submit_many(
                _job_lines(args.jobs, stdin, submit.Unreadable),
                concurrency=args.concurrency,
                journal=store,
                resubmit_unknown=args.resubmit_unknown,
                grace=args.grace,
            )
            try:
                for result in results:
                    counts[result.outcome] += 1
                    resumed += result.resumed
                    out.out(json.dumps(result.as_dict(), ensure_ascii=True))
                    out.stdout.flush()  # a reader that went away is noticed now, not at exit
            except BrokenPipeError:  # stdout closed early: stop taking jobs, say nothing more, fail
                results.close()
                _silence(out.stdout)
                return 1
    finally:
        if store is not None:
            store.close()
    total = sum(counts.values())
    out.err(
        f"procdsl submit: {total} jobs: {counts['accepted']} accepted ({resumed} earlier), {counts['failed']} failed, "
        f"{counts['unknown']} unknown, {counts['skipped']} skipped"
    )
    return 0 if counts["failed"] == counts["unknown"] == 0 else 1


def _cmd_submit(args: argparse.Namespace, out: _Out, stdin: IO[str]) -> int:
    if args.jobs is not None and (args.header or args.query):
        raise _UserError("--header and --query apply to a single job (BUCKET KEY STRING), not to --jobs")
    if args.jobs is not None:
        return _cmd_submit_many(args, out, stdin)
    if args.journal is not None or args.store is not None:
        raise _UserError("--journal and --store need --jobs FILE")
    if args.string is None:
        raise _UserError("give BUCKET KEY STRING, or --jobs FILE.jsonl for many jobs")
    value = _parse(args.string, "async")
    client = _client(args.region)
    result = client.submit(args.bucket, args.key, value, **_extras(args))
    out.out(_show_result(result))
    return 0


def _show_result(result: Any) -> str:
    if isinstance(result, (dict, list)):
        return json.dumps(result, indent=2, ensure_ascii=False)
    for attr in ("as_dict", "_asdict"):
        method = getattr(result, attr, None)
        if callable(method):
            return json.dumps(method(), indent=2, ensure_ascii=False, default=str)
    return str(result)


def _cmd_spec(args: argparse.Namespace, out: _Out, stdin: IO[str]) -> int:
    from ._catalog import SPEC_SCHEMA, build_spec

    document = SPEC_SCHEMA if args.schema else build_spec()
    indent = args.indent if args.indent > 0 else None
    out.out(json.dumps(document, indent=indent, ensure_ascii=False))
    return 0


_COMMANDS: Dict[str, Callable[[argparse.Namespace, _Out, IO[str]], int]] = {
    "explain": _cmd_explain,
    "check": _cmd_check,
    "format": _cmd_format,
    "python": _cmd_python,
    "url": _cmd_url,
    "submit": _cmd_submit,
    "spec": _cmd_spec,
    "render": _cmd_render,
}
