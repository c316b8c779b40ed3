#!/usr/bin/env python3
"""`meson install` puts every file an installed smbscope needs where it belongs.

usage: install.py MESON BUILDDIR SRCDIR

Installs BUILDDIR into a scratch DESTDIR (`meson install --destdir`, no
rebuild) and checks, under the configured prefix and directories:
- exactly the expected files land (a file meson would install that is not
  expected fails too, so this list is the one place saying what is shipped):
  the binary, the man page smbscope(1), the JSON Schema and (once it exists in
  the source tree) the index template under share/smbscope/, the systemd unit
  smbscope@.service and the sysusers.d file creating the smbscope user;
- the man page, schema and template are byte for byte the source files, the
  schema is a JSON Schema, the installed binary runs, the unit's ExecStart is
  the installed binary, and the sysusers.d line creates the user the unit's
  -Z and Group= name.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile


def buildoptions(meson, builddir):
    r = subprocess.run([meson, "introspect", "--buildoptions", builddir], capture_output=True, text=True,
                       check=True)
    return {o["name"]: o["value"] for o in json.loads(r.stdout)}


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    meson, builddir, srcdir = sys.argv[1:]
    src = pathlib.Path(srcdir)
    opt = buildoptions(meson, builddir)
    prefix = pathlib.PurePosixPath(opt["prefix"])

    def under_prefix(d):
        return prefix / d  # an absolute d stays itself

    unitdir = opt["systemdunitdir"] or str(prefix / "lib/systemd/system")
    sysusersdir = opt["sysusersdir"] or str(prefix / "lib/sysusers.d")
    pkgdata = under_prefix(opt["datadir"]) / "smbscope"
    binary = under_prefix(opt["bindir"]) / "smbscope"
    expected = {
        binary: None,
        under_prefix(opt["mandir"]) / "man1/smbscope.1": src / "man/smbscope.1",
        pkgdata / "smbscope.schema.json": src / "smbscope.schema.json",
        pkgdata / "smbscope-index-template.json": src / "smbscope-index-template.json",
        pathlib.PurePosixPath(unitdir) / "smbscope@.service": None,
        pathlib.PurePosixPath(sysusersdir) / "smbscope.conf": src / "systemd/smbscope.sysusers",
    }

    fails = []
    with tempfile.TemporaryDirectory(prefix="smbscope-install-") as dest:
        env = dict(os.environ)
        env.pop("DESTDIR", None)
        r = subprocess.run([meson, "install", "-C", builddir, "--no-rebuild", "--quiet", "--destdir", dest],
                           capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise SystemExit(f"FAIL: meson install: exit {r.returncode}\n{r.stdout}{r.stderr}")
        landed = {pathlib.PurePosixPath("/") / p.relative_to(dest)
                  for p in pathlib.Path(dest).rglob("*") if p.is_file() or p.is_symlink()}

        def at(p):
            return pathlib.Path(dest + str(p))

        for p in sorted(set(expected) - landed):
            fails.append(f"{p} was not installed")
        for p in sorted(landed - set(expected)):
            fails.append(f"{p} was installed but this test does not expect it: add it to `expected`")
        for p, source in expected.items():
            if source and p in landed and at(p).read_bytes() != source.read_bytes():
                fails.append(f"{p} differs from {source}")

        if binary in landed:
            r = subprocess.run([str(at(binary)), "--version"], capture_output=True, text=True)
            if r.returncode != 0 or not r.stdout.startswith("smbscope "):
                fails.append(f"installed {binary} --version: exit {r.returncode}: {r.stdout}{r.stderr}")
        schema_path = pkgdata / "smbscope.schema.json"
        if schema_path in landed:
            schema = json.loads(at(schema_path).read_text())
            if "json-schema.org" not in schema.get("$schema", ""):
                fails.append(f"{schema_path} has no JSON Schema $schema")
        unit = pathlib.PurePosixPath(unitdir) / "smbscope@.service"
        if unit in landed:
            text = at(unit).read_text()
            if f"ExecStart={binary} " not in text:
                fails.append(f"{unit}: ExecStart= does not run the installed {binary}")
            if "@" + "BINDIR@" in text:
                fails.append(f"{unit}: @BINDIR@ was not substituted")
            if "-Z smbscope " not in text or "\nGroup=smbscope\n" not in text:
                fails.append(f"{unit}: no longer runs -Z smbscope with Group=smbscope: update the sysusers check")
        users = pathlib.PurePosixPath(sysusersdir) / "smbscope.conf"
        if users in landed:
            lines = [ln.split() for ln in at(users).read_text().splitlines() if ln and not ln.startswith("#")]
            if not any(ln[:2] == ["u", "smbscope"] for ln in lines):
                fails.append(f"{users} does not create the user smbscope")

    for f in fails:
        print("FAIL:", f)
    if fails:
        return 1
    print(f"ok: {len(expected)} files installed under {prefix}:")
    for p in sorted(expected):
        print("  ", p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
