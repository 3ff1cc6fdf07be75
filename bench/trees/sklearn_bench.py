#!/usr/bin/python3
"""scikit-learn side of bench/trees: trains ExtraTreesClassifier on DIR/x_train.npy, y_train.npy, predicts
DIR/x_test.npy, and prints one JSON line (train_s, predict_s, auc). Run by trees_bench, not by hand.

Usage: /usr/bin/python3 sklearn_bench.py DIR TREES MIN_SAMPLES_LEAF N_JOBS SEED
"""
import json, sys, time
import numpy as np
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.metrics import roc_auc_score

d, trees, leaf, jobs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
xtr, ytr = np.load(f"{d}/x_train.npy"), np.load(f"{d}/y_train.npy")
xte, yte = np.load(f"{d}/x_test.npy"), np.load(f"{d}/y_test.npy")
clf = ExtraTreesClassifier(n_estimators=trees, max_features="sqrt", bootstrap=False, criterion="gini",
                           min_samples_split=2, min_samples_leaf=leaf, n_jobs=jobs, random_state=seed)
t0 = time.perf_counter(); clf.fit(xtr, ytr); t1 = time.perf_counter()
p = clf.predict_proba(xte)[:, 1]; t2 = time.perf_counter()
print(json.dumps({"train_s": t1 - t0, "predict_s": t2 - t1, "auc": roc_auc_score(yte, p)}))
