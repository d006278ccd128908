"""Float64 reference for test/report/regressionReference.test.ts (numpy, scipy, scikit-learn).

Reads the report's inputs as JSON on stdin and prints, as JSON, every score the regression report
gives: members, mixtures, median, linear stacking (validation and out of fold), teacher, students.
"""
import json
import sys

import numpy as np
from scipy.stats import norm
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

d = json.load(sys.stdin)
off, scale = d["targetScale"]["mean"], d["targetScale"]["std"]
levels = d["levels"]
units = lambda z: off + scale * np.asarray(z, dtype=np.float64)
y_test, y_val, y_train = units(d["testTargets"]), units(d["validationTargets"]), units(d["trainTargets"])


def predictive(outputs, rows):
    o = np.asarray(outputs, dtype=np.float64)
    if o.size == 2 * rows:
        o = o.reshape(rows, 2)
        return units(o[:, 0]), scale**2 * (np.logaddexp(0.0, o[:, 1]) + 1e-6)
    return units(o), None


def scores(mu, var):
    out = {
        "rmse": mean_squared_error(y_test, mu, squared=False),
        "mae": mean_absolute_error(y_test, mu),
        "r2": r2_score(y_test, mu),
    }
    if var is not None:
        sd = np.sqrt(var)
        out["nll"] = float(-np.mean(norm.logpdf(y_test, mu, sd)))
        out["coverage"] = [float(np.mean(np.abs(y_test - mu) <= norm.ppf((1 + l) / 2) * sd)) for l in levels]
    return out


def with_residuals(model_test, model_val):
    mu, var = predictive(model_test, len(y_test))
    if var is None:
        val_mu, _ = predictive(model_val, len(y_val))
        var = np.full_like(mu, np.mean((y_val - val_mu) ** 2))
    return mu, var


def mixture(parts, w):
    w = np.asarray(w, dtype=np.float64) / np.sum(w)
    mean = sum(wi * mu for wi, (mu, _) in zip(w, parts))
    var = sum(wi * (v + (mu - mean) ** 2) for wi, (mu, v) in zip(w, parts))
    return mean, var


def stacking(fit_means, y_fit, test_means):
    n, m = len(y_fit), len(fit_means)
    ridge = Ridge(alpha=0.01 * n, fit_intercept=True).fit(np.column_stack(fit_means), y_fit)
    resid = y_fit - ridge.predict(np.column_stack(fit_means))
    var = np.sum(resid**2) / (n - (m + 1))
    mu = ridge.predict(np.column_stack(test_means))
    return {**scores(mu, np.full_like(mu, var)), "weights": ridge.coef_.tolist(), "intercept": float(ridge.intercept_)}


members = d["members"]
parts = [with_residuals(m["test"], m["validation"]) for m in members]
val_means = [predictive(m["validation"], len(y_val))[0] for m in members]
test_means = [mu for mu, _ in parts]
weights = [m["weight"] for m in members]
median_val = np.median(np.column_stack(val_means), axis=1)
median_test = np.median(np.column_stack(test_means), axis=1)
median_var = np.full_like(median_test, np.mean((y_val - median_val) ** 2))
oof_means = [predictive(m["outOfFold"], len(y_train))[0] for m in members]
print(
    json.dumps(
        {
            "members": [scores(mu, var) for mu, var in parts],
            "mean": scores(*mixture(parts, [1] * len(parts))),
            "weighted": scores(*mixture(parts, weights)),
            "median": scores(median_test, median_var),
            "stacking": stacking(val_means, y_val, test_means),
            "outOfFold": stacking(oof_means, y_train, test_means),
            "students": [scores(*with_residuals(s["test"], s["validation"])) for s in d["students"]],
        }
    )
)
