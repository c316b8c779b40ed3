#!/usr/bin/env python3
"""The man page and the program agree, and the man page renders cleanly.

usage: manpage.py SMBSCOPE MANPAGE SRCDIR

- every option `smbscope --help` lists has its own .TP entry under OPTIONS in
  MANPAGE, and every option the man page documents is in --help (so neither
  can go stale when an option is added, renamed or removed);
- a default --help gives as "(N)" at the end of an option's text is the one
  the man page gives for it;
- every option the program accepts (its getopt tables under SRCDIR/src) is in
  --help, so the two checks above see every option;
- groff renders MANPAGE without a warning (-ww), and so does man(1) at 80
  columns.

How --help is read: an option line starts with "-" at an indent of at most 4
spaces ("  -r FILE ...", "  -h, --help ..."); deeper lines continue the
option above. How the man page is read: the tag line after each .TP between
".SH OPTIONS" and the next .SH names one option (or aliases: "-h, --help").
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tools"))
import ci_env  # noqa: E402

OPT = re.compile(r"(?<![\w-])(--?[A-Za-z0-9][A-Za-z0-9-]*)")


def help_entries(text):
    """{option: entry text} from --help; aliases share one entry"""
    entries = {}
    current = None
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if body.startswith("-") and indent <= 4:
            names = []
            for tok in body.split():
                m = re.fullmatch(r"(--?[A-Za-z0-9][A-Za-z0-9-]*)(,?)", tok)
                if not m:
                    break
                names.append(m.group(1))
                if not m.group(2):
                    break
            current = {"names": names, "text": body}
            for n in names:
                if n in entries:
                    raise SystemExit(f"FAIL: --help lists {n} twice")
                entries[n] = current
        elif current is not None and body and indent > 4:
            current["text"] += " " + body
        else:
            current = None
    return entries


def roff_plain(s):
    """a roff line without its macro name, font escapes and quotes"""
    s = re.sub(r"^\.[A-Z]{1,2}\s+", "", s)
    s = re.sub(r"\\f(\[[^\]]*\]|.)", "", s)
    s = s.replace("\\-", "-").replace("\\(aq", "'").replace("\\&", "").replace("\\%", "")
    return s.replace('"', " ")


def man_entries(roff):
    """{option: entry text} from the OPTIONS section's .TP entries"""
    lines = roff.splitlines()
    try:
        start = lines.index(".SH OPTIONS")
    except ValueError:
        raise SystemExit("FAIL: the man page has no '.SH OPTIONS' section")
    entries = {}
    current = None
    i = start + 1
    while i < len(lines) and not lines[i].startswith(".SH"):
        line = lines[i]
        if line == ".TP":
            tag = roff_plain(lines[i + 1])
            names = OPT.findall(tag)
            if not names:
                raise SystemExit(f"FAIL: man page line {i + 2}: .TP tag names no option: {lines[i + 1]!r}")
            current = {"names": names, "text": ""}
            for n in names:
                if n in entries:
                    raise SystemExit(f"FAIL: the man page documents {n} twice")
                entries[n] = current
            i += 2
            continue
        if line.startswith((".SS", ".PP", ".P ", ".LP")):
            current = None
        elif current is not None and not line.startswith('.\\"'):
            current["text"] += " " + roff_plain(line)
        i += 1
    return entries


def source_options(srcdir):
    """options the program accepts, from every getopt table under src/"""
    opts = set()
    for path in sorted(pathlib.Path(srcdir, "src").rglob("*.c")):
        text = path.read_text(errors="replace")
        for m in re.finditer(r'\{\s*"([A-Za-z0-9][A-Za-z0-9-]*)"\s*,\s*(?:no|required|optional)_argument', text):
            opts.add("--" + m.group(1))
        for m in re.finditer(r'getopt(?:_long)?\s*\([^;]*?"([^"]*)"', text):
            opts.update("-" + c for c in m.group(1) if c.isalnum())
    return opts


def render_warnings(manpage):
    problems = []
    groff = shutil.which("groff")
    man = shutil.which("man")
    if not groff or not man:
        return None
    r = subprocess.run([groff, "-man", "-ww", "-z", manpage], capture_output=True, text=True)
    if r.returncode != 0 or r.stderr:
        problems.append(f"groff -man -ww: exit {r.returncode}: {r.stderr.strip()}")
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    r = subprocess.run([man, "--warnings", "-l", manpage], capture_output=True, text=True, env=env)
    if r.returncode != 0 or r.stderr:
        problems.append(f"man --warnings -l: exit {r.returncode}: {r.stderr.strip()}")
    return problems


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    smbscope, manpage, srcdir = sys.argv[1:]
    r = subprocess.run([smbscope, "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"FAIL: smbscope --help exited {r.returncode}: {r.stderr}")
    helped = help_entries(r.stdout)
    documented = man_entries(pathlib.Path(manpage).read_text())
    accepted = source_options(srcdir)
    fails = []
    if len(helped) < 10 or not accepted:
        fails.append(f"parsed only {len(helped)} options from --help and {len(accepted)} from the "
                     "getopt tables: has the --help layout changed? (see this script's docstring)")
    for opt in sorted(set(helped) - set(documented)):
        fails.append(f"{opt} is in --help but has no .TP entry under OPTIONS in {manpage}")
    for opt in sorted(set(documented) - set(helped)):
        fails.append(f"{opt} is documented in {manpage} but --help does not list it")
    for opt in sorted(accepted - set(helped)):
        fails.append(f"{opt} is accepted by smbscope (getopt table under src/) but --help does not list it")
    for opt in sorted(set(helped) & set(documented)):
        m = re.search(r"\((\d+)\)\s*$", helped[opt]["text"])
        if m and f"({m.group(1)})" not in documented[opt]["text"]:
            fails.append(f"{opt}: --help gives the default ({m.group(1)}), the man page does not")
    problems = render_warnings(manpage)
    if problems is None and not fails:
        return ci_env.missing("groff or man (Debian: groff-base, man-db) to render the man page")
    fails += problems or []
    for f in fails:
        print("FAIL:", f)
    if fails:
        return 1
    print(f"ok: {len(set(map(id, helped.values())))} --help entries ({len(helped)} option names) "
          f"all documented, {len(accepted)} accepted options all in --help, renders without warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
