"""scikit-learn's own loaders of the CSVs Debian ships, as JSON: the reference for sklearnTables.test.ts.

load_wine, load_breast_cancer and load_diabetes(scaled=False) read the same files Chorus reads; the
Boston file (its loader is gone from scikit-learn 1.2) is read with numpy as that loader did.
"""
import json
import os

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

DATA = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
boston = np.loadtxt(os.path.join(DATA, "boston_house_prices.csv"), delimiter=",", skiprows=2)
out = {
    "boston": {"x": boston[:, :-1].tolist(), "y": boston[:, -1].tolist()},
    "wine": dict(zip(("x", "y"), (a.tolist() for a in load_wine(return_X_y=True)))),
    "breastCancer": dict(zip(("x", "y"), (a.tolist() for a in load_breast_cancer(return_X_y=True)))),
    "diabetes": dict(zip(("x", "y"), (a.tolist() for a in load_diabetes(return_X_y=True, scaled=False)))),
    "breastCancerNames": [str(n) for n in load_breast_cancer().feature_names],
}
print(json.dumps(out))
