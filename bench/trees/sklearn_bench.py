#!/usr/bin/python3
"""scikit-learn side of bench/trees: trains ExtraTreesClassifier on DIR/x_train.npy, y_train.npy, predicts
DIR/x_test.npy REPEAT times, and prints one JSON line: train_s, predict_s (fastest call), first_predict_s,
predict_cpu_s (least CPU time of a call, all threads), auc. Run by trees_bench, not by hand.

Usage: /usr/bin/python3 sklearn_bench.py DIR TREES MIN_SAMPLES_LEAF N_JOBS SEED REPEAT
"""
import json, sys, time
import numpy as np
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.metrics import roc_auc_score

d, trees, leaf, jobs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
repeat = int(sys.argv[6])
xtr, ytr = np.load(f"{d}/x_train.npy"), np.load(f"{d}/y_train.npy")
xte, yte = np.load(f"{d}/x_test.npy"), np.load(f"{d}/y_test.npy")
clf = ExtraTreesClassifier(n_estimators=trees, max_features="sqrt", bootstrap=False, criterion="gini",
                           min_samples_split=2, min_samples_leaf=leaf, n_jobs=jobs, random_state=seed)
t0 = time.perf_counter(); clf.fit(xtr, ytr); train_s = time.perf_counter() - t0
times, cpu = [], []
for _ in range(repeat):
    c1 = time.process_time(); t1 = time.perf_counter()
    p = clf.predict_proba(xte)[:, 1]
    times.append(time.perf_counter() - t1); cpu.append(time.process_time() - c1)
print(json.dumps({"train_s": train_s, "predict_s": min(times), "first_predict_s": times[0],
                  "predict_cpu_s": min(cpu), "auc": roc_auc_score(yte, p)}))
