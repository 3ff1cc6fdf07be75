#!/usr/bin/env bash
# Variable-star classifier on the real EROS-1 LMC light curves (issue 7 item 5; results in docs/lightcurves.md).
#   scripts/train_variable_stars.sh [RIVULET=build/rivulet] [OUT_DIR=docs/models]
# Environment: RIVULET_SHARED_DATA (default ../shared/data), ALGOS (default "extratrees rf"; "xgboost" also
# works but its 10-fold CV (300 rounds x 4 classes) did not finish in 7 minutes here; only the ExtraTrees
# model is shipped, the others are trained in a temporary folder for comparison), FEATURES (reuse
# an existing features CSV from a previous run instead of extracting again), KEEP (folder for the
# intermediate files: filtered light curves, features, labelled table, CV JSON; default: a temporary one).
#
# Steps: (1) light curves without the mag = 25.0 sentinel rows; (2) `rivulet features` per band b, r plus
# multi-band (default period method mhls, --pmin 0.1 d, --max-err 1 mag); (3) join the class from meta.csv
# (type 1 binary, 2 cepheid, 3 rr_lyrae, 4 mira); (4) `rivulet train --cv 10` (stratified, seed 0), which
# prints the pooled out-of-fold accuracy, per-class one-vs-rest AUC and the confusion matrix (JSON); per-class
# precision/recall/F1 are computed here from that confusion matrix.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rivulet="${1:-$root/build/rivulet}"
out="${2:-$root/docs/models}"
data="${RIVULET_SHARED_DATA:-$root/../shared/data}/variable_stars/eros1_lmc_ramp"
algos="${ALGOS:-extratrees rf}"
name=eros1_variable_stars_extratrees
if [ -n "${KEEP:-}" ]; then tmp="$KEEP"; mkdir -p "$tmp"; else tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT; fi
mkdir -p "$out"
[ -x "$rivulet" ] || { echo "rivulet binary not found: $rivulet" >&2; exit 1; }
[ -f "$data/meta.csv" ] || { echo "EROS-1 data not found in $data" >&2; exit 1; }

# (1)+(2) features. The long table already has the columns features reads (id, band, time, mag, mag_err);
# 44 rows carry the sentinel magnitude 25.0 and are dropped; errors > 1 mag (360 rows) are dropped by --max-err.
features="${FEATURES:-}"
if [ -z "$features" ]; then
  features="$tmp/features.csv"
  gzip -dc "$data/lightcurves.csv.gz" | awk -F, 'NR == 1 || $4 < 25' > "$tmp/lightcurves.csv"
  echo "features of $(awk -F, 'NR > 1 {print $1}' "$tmp/lightcurves.csv" | uniq | wc -l) light curves ..." >&2
  start=$SECONDS
  "$rivulet" features "$tmp/lightcurves.csv" --id id --time time --mag mag --err mag_err --band band \
    --bands b r --max-err 1 --pmin 0.1 --out "$features"
  echo "features: $((SECONDS - start)) s" >&2
fi

# (3) labels from meta.csv (columns located by name).
awk -F, -v OFS=, '
  NR == FNR { if (FNR == 1) { for (i = 1; i <= NF; i++) c[$i] = i; next }
              split("binary cepheid rr_lyrae mira", n, " "); cls[$c["id"]] = n[$c["type"] + 0]; next }
  FNR == 1  { print $0, "class"; next }
  ($1 in cls) && cls[$1] != "" { print $0, cls[$1]; next }
  { missing++ }
  END { if (missing) print missing " feature rows without a label" > "/dev/stderr" }' \
  "$data/meta.csv" "$features" > "$tmp/labelled.csv"
echo "labelled rows: $(($(wc -l < "$tmp/labelled.csv") - 1))" >&2

# (4) train with 10-fold CV and report.
report() {  # JSON from `train --json` -> accuracy, per-class metrics, confusion matrix (Markdown)
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); cv = d["cv"]; p = cv["pooled"]
cls, cm = p["classes"], p["confusion"]            # rows: true class, columns: predicted class
n = sum(map(sum, cm)); k = len(cls)
print(f"## {sys.argv[2]}: {cv['folds']}-fold CV, {n} stars")
print(f"accuracy (pooled out-of-fold) {p['accuracy']:.4f}; mean fold macro OvR AUC "
      f"{cv['mean_fold_auc']:.4f} ± {cv['std_fold_auc']:.4f}; pooled macro OvR AUC {p['macro_auc_one_vs_rest']:.4f}")
print("\n| class | support | precision | recall | F1 | OvR AUC |\n|---|---|---|---|---|---|")
f1s = []
for i, c in enumerate(cls):
    tp = cm[i][i]; sup = sum(cm[i]); pred = sum(cm[r][i] for r in range(k))
    pr = tp / pred if pred else 0.0; rc = tp / sup if sup else 0.0
    f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0; f1s.append(f1)
    print(f"| {c} | {sup} | {pr:.3f} | {rc:.3f} | {f1:.3f} | {p['auc_one_vs_rest'][c]:.4f} |")
bal = sum(cm[i][i] / sum(cm[i]) for i in range(k)) / k
print(f"\nmacro F1 {sum(f1s) / k:.3f}; balanced accuracy {bal:.3f}")
print("\n| true \\ predicted | " + " | ".join(cls) + " |\n|---|" + "---|" * k)
for i, c in enumerate(cls):
    print(f"| **{c}** | " + " | ".join(str(v) for v in cm[i]) + " |")
EOF
}
for algo in $algos; do
  case "$algo" in
    extratrees) model="$out/$name.rvm"; extra=() ;;  # (--plots draws binary ROC/CDF only)
    rf|xgboost) model="$tmp/eros1_variable_stars_$algo.rvm"; extra=() ;;
    *) echo "unknown algorithm '$algo'" >&2; exit 1 ;;
  esac
  start=$SECONDS
  "$rivulet" train --algo "$algo" --data "$tmp/labelled.csv" --label class --drop id,notes --cv 10 --seed 0 \
    --training-set eros1_lmc_ramp --t 1 --f 1 --out "$model" "${extra[@]}" --json > "$tmp/cv_$algo.json"
  report "$tmp/cv_$algo.json" "$algo ($((SECONDS - start)) s, model $(du -k "$model" | cut -f1) KiB)"
  echo
done
