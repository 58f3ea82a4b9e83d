#!/usr/bin/env bash
# Rebuild src/handouts/pdf/profiles/handouts-fogra39.icc, the CMYK profile that --print-shop PDFs carry
# as their PDF/X output intent. Made from FOGRA39L.ti3 (the FOGRA39 characterization data for offset on
# coated paper, ISO 12647-2), which Debian ships in icc-profiles-free under the zlib licence, with ArgyllCMS's
# colprof (the tool is AGPL; the profile it writes is data made from the zlib-licensed measurements).
# Needs: apt-get install icc-profiles-free argyll. Licence and choices: src/handouts/pdf/profiles/README.md
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/share/color/icc/FOGRA39L.ti3 "$work/"
# -qm: medium-quality A2B tables; -b l: small B2A tables; -k p 0 .35 1 1 1: black starts 35 % of the way
# to black (a light GCR, as press profiles do: brand colours stay mostly CMY); -l 330: FOGRA39's total ink
# limit; -L 95: at most 95 % black; -nc: leave the measurements out (keeps the profile small)
colprof -qm -b l -k p 0 .35 1 1 1 -l 330 -L 95 -nc \
  -D "handouts FOGRA39 (coated offset, from FOGRA39L.ti3)" \
  -C "zlib licence; made from FOGRA39L.ti3 (Kai-Uwe Behrmann, icc-profiles-free) with ArgyllCMS colprof" \
  -O "$work/handouts-fogra39.icc" "$work/FOGRA39L"
cp "$work/handouts-fogra39.icc" src/handouts/pdf/profiles/handouts-fogra39.icc
