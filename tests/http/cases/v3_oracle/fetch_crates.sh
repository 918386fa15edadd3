#!/usr/bin/env bash
# Unpacks the crate sources the oracle needs (at the versions influxdata/influxdb's Cargo.lock pins) from
# GitHub mirrors into ./crates, for an offline build: crates.io is not reachable from the build machines and
# Debian's packaged crates are older than InfluxDB's pins. Not run by the tests.
#   1. fetch each repository named below (owner+name) into /work/.mirror/<owner>+<name>/repo (bare git);
#   2. run this script from an empty directory;
#   3. add `[patch.crates-io] <name> = { path = "<dir>/crates/<name>" }` for each crate to Cargo.toml;
#   4. RUSTFLAGS="--cap-lints warn" cargo build --release --offline (a few git checkouts' Cargo.toml files
#      need their workspace-inherited keys written out by hand).
set -euo pipefail
exp() { name=$1 ver=$2 repo=/work/.mirror/$3/repo sub=$4; shift 4
  for t in "$@"; do if git -C $repo rev-parse -q --verify "$t^{commit}" >/dev/null; then tag=$t; break; fi; tag=; done
  [ -n "$tag" ] || { echo "NO TAG $name $ver"; return; }
  rm -rf crates/$name; mkdir -p crates/$name
  strip=${sub:+--strip-components=$(echo $sub | tr / '\n' | wc -l)}
  if ! (git -C $repo archive "$tag" ${sub:+$sub} 2>/dev/null | tar -x -C crates/$name $strip 2>/dev/null); then
    rm -rf crates/$name; mkdir -p crates/$name
    git -C $repo archive "$tag" -- ${sub:+$sub} ":(exclude)${sub:+$sub/}benchmarks" ":(exclude)${sub:+$sub/}benches" ":(exclude)${sub:+$sub/}tests" ":(exclude)${sub:+$sub/}fuzz" ":(exclude)${sub:+$sub/}examples" | tar -x -C crates/$name $strip; fi
  v=$(grep -m1 '^version' crates/$name/Cargo.toml || true); echo "$name $ver <- $tag ($v)"; }
exp serde 1.0.228 serde-rs+serde serde v1.0.228
exp serde_core 1.0.228 serde-rs+serde serde_core v1.0.228
exp serde_derive 1.0.228 serde-rs+serde serde_derive v1.0.228
exp serde_json 1.0.149 serde-rs+json "" v1.0.149
exp itoa 1.0.18 dtolnay+itoa "" 1.0.18
exp memchr 2.8.0 BurntSushi+memchr "" 2.8.0
exp zmij 1.0.21 dtolnay+zmij "" 1.0.21
exp proc-macro2 1.0.106 dtolnay+proc-macro2 "" 1.0.106
exp quote 1.0.45 dtolnay+quote "" 1.0.45
exp syn 2.0.117 dtolnay+syn "" 2.0.117
exp unicode-ident 1.0.24 dtolnay+unicode-ident "" 1.0.24
exp mime 0.3.17 hyperium+mime "" v0.3.17
exp serde_urlencoded 0.7.1 nox+serde_urlencoded "" v0.7.1
exp form_urlencoded 1.2.2 servo+rust-url form_urlencoded v2.5.7 v2.5.6 v2.5.5
exp percent-encoding 2.3.2 servo+rust-url percent_encoding v2.5.7 v2.5.6 v2.5.5
exp ryu 1.0.23 dtolnay+ryu "" 1.0.23
exp bytes 1.11.1 tokio-rs+bytes "" v1.11.1
exp futures-util 0.3.32 rust-lang+futures-rs futures-util 0.3.32
exp futures-core 0.3.32 rust-lang+futures-rs futures-core 0.3.32
exp futures-task 0.3.32 rust-lang+futures-rs futures-task 0.3.32
exp futures-sink 0.3.32 rust-lang+futures-rs futures-sink 0.3.32
exp futures-io 0.3.32 rust-lang+futures-rs futures-io 0.3.32
exp futures-channel 0.3.32 rust-lang+futures-rs futures-channel 0.3.32
exp futures-macro 0.3.32 rust-lang+futures-rs futures-macro 0.3.32
exp pin-project-lite 0.2.17 taiki-e+pin-project-lite "" v0.2.17
exp http 1.4.0 hyperium+http "" v1.4.0
exp httparse 1.10.1 seanmonstar+httparse "" v1.10.1
exp encoding_rs 0.8.35 hsivonen+encoding_rs "" v0.8.35
exp cfg-if 1.0.4 rust-lang+cfg-if "" v1.0.4 1.0.4
exp version_check 0.9.5 SergioBenitez+version_check "" v0.9.5
exp multer 3.1.0 rwf2+multer "" v3.1.0
exp serde_urlencoded 0.7.1 nox+serde_urlencoded "" d8bc15d
exp spin 0.9.8 mvdnes+spin-rs "" 502c9dc
