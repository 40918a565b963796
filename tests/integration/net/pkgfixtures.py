#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Static package repositories for registry.py's STATIC root, each with one
# tiny package, in the layouts the real clients expect:
#   pkgfixtures.py goproxy DIR
#       a Go module proxy (GOPROXY protocol): DIR/registry.test/tiny/@v/
#       list, v1.0.0.info, .mod, .zip (module registry.test/tiny)
#   pkgfixtures.py cargo DIR BASE
#       a cargo registry for crate "tinycrate" 1.0.0: DIR/crates/ (the
#       .crate), DIR/index/ (config.json and the index file, the layout of
#       both the git and the sparse protocol; "dl" points at BASE/crates)
import gzip, hashlib, io, json, os, sys, tarfile, zipfile

def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

def goproxy(root):
    mod, ver = "registry.test/tiny", "v1.0.0"
    gomod = b"module registry.test/tiny\n\ngo 1.19\n"
    files = {"go.mod": gomod,
             "tiny.go": b'package tiny\n\n// Works says where the module came from.\n'
                        b'func Works() string { return "tiny go module works" }\n'}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr("%s@%s/%s" % (mod, ver, name), data)
    d = os.path.join(root, mod, "@v")
    write(os.path.join(d, "list"), (ver + "\n").encode())
    write(os.path.join(d, ver + ".info"), json.dumps({"Version": ver, "Time": "2024-01-01T00:00:00Z"}).encode())
    write(os.path.join(d, ver + ".mod"), gomod)
    write(os.path.join(d, ver + ".zip"), buf.getvalue())

def crate_file(name, vers):
    files = {"Cargo.toml": ('[package]\nname = "%s"\nversion = "%s"\nedition = "2018"\n' % (name, vers)).encode(),
             "src/lib.rs": b'pub fn works() -> &\'static str { "tinycrate works" }\n'}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as t:
        for n, data in files.items():
            info = tarfile.TarInfo("%s-%s/%s" % (name, vers, n))
            info.size, info.mode, info.mtime = len(data), 0o644, 1704067200
            t.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)

def cargo(root, base):
    name, vers = "tinycrate", "1.0.0"
    crate = crate_file(name, vers)
    write(os.path.join(root, "crates", "%s-%s.crate" % (name, vers)), crate)
    index = os.path.join(root, "index")
    write(os.path.join(index, "config.json"),
          json.dumps({"dl": base + "/crates/{crate}-{version}.crate"}).encode())
    entry = {"name": name, "vers": vers, "deps": [], "features": {}, "yanked": False,
             "cksum": hashlib.sha256(crate).hexdigest()}
    write(os.path.join(index, name[:2], name[2:4], name), (json.dumps(entry) + "\n").encode())

if __name__ == "__main__":
    if sys.argv[1] == "goproxy":
        goproxy(sys.argv[2])
    elif sys.argv[1] == "cargo":
        cargo(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: pkgfixtures.py goproxy DIR | cargo DIR BASE")
