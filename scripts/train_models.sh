#!/usr/bin/env bash
# Reproduces the models shipped in docs/models/ (one command per data set; all three by default).
#   scripts/train_models.sh [snad|sdss|iband ...]    (RIVULET=path/to/rivulet, RIVULET_SHARED_DATA=../shared/data)
# Each writes docs/models/<name>.rvm (header: version, features, hyper-parameters, 10-fold CV metrics,
# data hash) and docs/models/<name>/ (CV ROC and score-distribution SVGs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rivulet="${RIVULET:-$root/build/rivulet}"
data="${RIVULET_SHARED_DATA:-$root/../shared/data}"
out="$root/docs/models"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
sets=("$@"); [ ${#sets[@]} -gt 0 ] || sets=(snad sdss iband)
for s in "${sets[@]}"; do
  case "$s" in
    snad)  # real/bogus (1 = artefact), 54 light-curve features; the paper's ExtraTrees
      "$rivulet" train --algo extratrees --data "$data/real_bogus/snad_akb_ztf_artefacts/akb_obj_features_snad4.csv" \
        --label label --drop oid --cv 10 --training-set snad_akb --t 1 --f 1 \
        --out "$out/snad_artefacts_extratrees.rvm" --plots "$out/snad_artefacts_extratrees" ;;
    sdss)  # STAR / GALAXY / QSO from ugriz magnitudes and colours (no redshift: it is the answer)
      # Colours; a missing magnitude (357 empty cells) gives missing colours, which the trees handle (--allow-missing).
      awk -F, -v OFS=, 'function c(a,b){return (a==""||b=="")?"":a-b}
        NR==1{print $0,"u_g","g_r","r_i","i_z"; next}{print $0,c($4,$5),c($5,$6),c($6,$7),c($7,$8)}' \
        "$data/star_galaxy/sdss_dr14_skyserver_10k/sdss_skyserver_10k.csv" > "$tmp/sdss.csv"
      "$rivulet" train --algo extratrees --data "$tmp/sdss.csv" --label class \
        --features u,g,r,i,z,u_g,g_r,r_i,i_z --allow-missing --cv 10 --training-set sdss_dr14_10k --t 1 --f 1 \
        --out "$out/sdss_star_galaxy_qso_extratrees.rvm" ;;
    iband) # star (1) / galaxy (0) from image moments of ZTF i-band 20x20 cutouts
      d="$data/star_galaxy/ztf_iband_cutouts_legacy_labels"
      "$rivulet" cutout-features --npy "$d/cutouts_20x20_f32.npy" --labels "$d/labels.csv" --out "$tmp/iband.csv"
      "$rivulet" train --algo extratrees --data "$tmp/iband.csv" --label is_star \
        --features peak_over_flux,fwhm,ellipticity,concentration,fwhm_over_seeing,flux --cv 10 \
        --training-set ztf_iband_legacy --t 1 --f 1 \
        --out "$out/ztf_iband_star_galaxy_extratrees.rvm" --plots "$out/ztf_iband_star_galaxy_extratrees" ;;
    *) echo "unknown data set '$s' (snad, sdss, iband)" >&2; exit 1 ;;
  esac
done
