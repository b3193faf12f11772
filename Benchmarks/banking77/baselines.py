"""scikit-learn's linear baselines on BANKING77, the figures ../shared/datasets/README.md lists.

TF-IDF on word 1-2-grams plus char_wb 2-5-grams (sublinear tf), then MultinomialNB (alpha 0.1),
LogisticRegression (C 10) and LinearSVC (C 1); trained on the train split, scored on the test
split, for the 77 intents and the 8 departments. Prints one JSON object per line:
{"classifier", "labels", "accuracy", "macro_f1", "train_seconds", "tickets_per_second"}.
tickets_per_second is featurising plus predicting the test split on one core.

Usage: python baselines.py DATASET_DIR
"""
import csv
import json
import os
import sys
import time

# One core, as the Swift side is measured.
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(name, "1")

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.naive_bayes import MultinomialNB  # noqa: E402
from sklearn.pipeline import FeatureUnion, make_pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402


def read(path, label_column):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row[label_column] for row in rows]


def features():
    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
    ])


CLASSIFIERS = {
    "MultinomialNB (alpha 0.1)": lambda: MultinomialNB(alpha=0.1),
    "LogisticRegression (C 10)": lambda: LogisticRegression(C=10, max_iter=2000),
    "LinearSVC (C 1)": lambda: LinearSVC(C=1),
}


def main(directory):
    splits = {
        "intents": ("train.csv", "test.csv", "category"),
        "departments": ("train-departments.csv", "test-departments.csv", "department"),
    }
    for labels, (train_file, test_file, column) in splits.items():
        train_text, train_labels = read(os.path.join(directory, train_file), column)
        test_text, test_labels = read(os.path.join(directory, test_file), column)
        for name, make in CLASSIFIERS.items():
            pipeline = make_pipeline(features(), make())
            start = time.perf_counter()
            pipeline.fit(train_text, train_labels)
            train_seconds = time.perf_counter() - start
            start = time.perf_counter()
            predicted = pipeline.predict(test_text)
            predict_seconds = time.perf_counter() - start
            print(json.dumps({
                "classifier": name,
                "labels": labels,
                "accuracy": accuracy_score(test_labels, predicted),
                "macro_f1": f1_score(test_labels, predicted, average="macro"),
                "train_seconds": train_seconds,
                "tickets_per_second": len(test_text) / predict_seconds,
            }), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
