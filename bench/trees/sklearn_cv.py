#!/usr/bin/python3
"""scikit-learn reference for Rivulet's ExtraTrees: 10-fold stratified CV AUC with the paper's settings.

Usage: /usr/bin/python3 bench/trees/sklearn_cv.py CSV LABEL [--drop a,b] [--features a,b] [--trees 300]
           [--folds 10] [--seed 0] [--n-jobs 2]
Prints one JSON line: mean and std of the per-fold AUC (binary) or accuracy (multiclass), and seconds.
"""
import argparse, json, sys, time
import numpy as np
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.metrics import roc_auc_score


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv"); ap.add_argument("label")
    ap.add_argument("--drop", default=""); ap.add_argument("--features", default="")
    ap.add_argument("--trees", type=int, default=300); ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0); ap.add_argument("--n-jobs", type=int, default=2)
    a = ap.parse_args()
    import csv
    with open(a.csv) as f:
        rows = list(csv.reader(f))
    head, rows = rows[0], rows[1:]
    li = head.index(a.label)
    drop = set(filter(None, a.drop.split(",")))
    if a.features:
        cols = [head.index(c) for c in a.features.split(",")]
    else:
        cols = [i for i, c in enumerate(head) if i != li and c not in drop]
    X = np.array([[float(r[i]) for i in cols] for r in rows], dtype=np.float32)
    labels = [r[li] for r in rows]
    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    pos = classes.index("1") if "1" in classes else len(classes) - 1
    skf = StratifiedKFold(n_splits=a.folds, shuffle=True, random_state=a.seed)
    scores = []
    t0 = time.time()
    for tr, te in skf.split(X, y):
        clf = ExtraTreesClassifier(n_estimators=a.trees, max_features="sqrt", bootstrap=False, criterion="gini",
                                   min_samples_split=2, n_jobs=a.n_jobs, random_state=a.seed)
        clf.fit(X[tr], y[tr])
        p = clf.predict_proba(X[te])
        if len(classes) == 2:
            scores.append(roc_auc_score(y[te] == pos, p[:, pos]))
        else:
            scores.append(roc_auc_score(y[te], p, multi_class="ovr", average="macro"))
    print(json.dumps({"metric": "auc" if len(classes) == 2 else "macro_ovr_auc", "mean_fold": float(np.mean(scores)),
                      "std_fold": float(np.std(scores)), "folds": a.folds, "trees": a.trees,
                      "seconds": time.time() - t0}))


if __name__ == "__main__":
    sys.exit(main())
