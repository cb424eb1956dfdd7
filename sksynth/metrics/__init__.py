"""Metrics comparing synthetic tables with real ones.

Every metric takes ``real`` and ``synthetic`` tables (DataFrames or arrays with
the same columns; ``real`` is the generator's training table) and returns a
float or a small DataFrame/Series. Column types come from ``real`` through
:class:`~sksynth.preprocessing.TableSchema`; results are deterministic for a
given ``random_state``. Metrics that are quadratic or train models (detection,
precision/recall, distances) subsample each table to ``max_samples`` rows
(default 5000), seeded by ``random_state``.

=====================================  =========================================
fidelity                               :func:`column_shapes`, :func:`column_pairs`,
                                       :func:`column_shape_table`,
                                       :func:`column_pair_table`
detection                              :func:`detection_auc`, :func:`detection_score`
precision / recall                     :func:`precision_recall`
utility                                :func:`tstr_score`, :func:`trtr_score`,
                                       :func:`utility_table`,
                                       :func:`augmentation_gain`
privacy                                :func:`dcr_share`, :func:`dcr_ratio`,
                                       :func:`exact_copy_rate`, :func:`nndr`,
                                       :func:`membership_inference_auc`
sequences                              :func:`discriminative_score`,
                                       :func:`predictive_score`,
                                       :func:`length_similarity`,
                                       :func:`sequence_statistic_similarity`,
                                       :func:`autocorrelation_distance`
attacks                                :func:`attribute_inference_cap`,
                                       :func:`density_ratio_mia_auc`
fairness                               :func:`fairness_table`,
                                       :func:`demographic_parity_difference`,
                                       :func:`equal_opportunity_difference`,
                                       :func:`equalized_odds_difference`
survival                               :func:`km_distance`, :func:`logrank_test`,
                                       :func:`tstr_concordance`,
                                       :func:`tstr_integrated_brier_score`
model selection                        :func:`make_generator_scorer`,
                                       :func:`make_fairness_scorer`
data-centric segments                  :func:`segment_shares`
=====================================  =========================================
"""

from ._attacks import attribute_inference_cap, density_ratio_mia_auc
from ._detection import detection_auc, detection_score
from ._fairness import (
    demographic_parity_difference,
    equal_opportunity_difference,
    equalized_odds_difference,
    fairness_table,
)
from ._fidelity import (
    column_pair_table,
    column_pairs,
    column_shape_table,
    column_shapes,
    correlation_ratio,
    ks_statistic,
    total_variation_distance,
)
from ._precision_recall import precision_recall
from ._privacy import (
    dcr_ratio,
    dcr_share,
    distances_to_closest_record,
    exact_copy_rate,
    membership_inference_auc,
    nndr,
)
from ._scorer import (
    get_generator_metric_names,
    make_fairness_scorer,
    make_generator_scorer,
)
from ._segments import segment_shares
from ._sequence import (
    autocorrelation_distance,
    discriminative_score,
    length_similarity,
    predictive_score,
    sequence_statistic_similarity,
    sequence_statistics,
)
from ._survival import (
    check_survival_target,
    kaplan_meier,
    km_absolute_optimism,
    km_distance,
    km_optimism,
    km_short_sightedness,
    logrank_test,
    tstr_concordance,
    tstr_integrated_brier_score,
)
from ._utility import augmentation_gain, trtr_score, tstr_score, utility_table

__all__ = [
    "attribute_inference_cap",
    "augmentation_gain",
    "autocorrelation_distance",
    "check_survival_target",
    "column_pair_table",
    "column_pairs",
    "column_shape_table",
    "column_shapes",
    "correlation_ratio",
    "dcr_ratio",
    "dcr_share",
    "demographic_parity_difference",
    "density_ratio_mia_auc",
    "detection_auc",
    "detection_score",
    "discriminative_score",
    "distances_to_closest_record",
    "equal_opportunity_difference",
    "equalized_odds_difference",
    "exact_copy_rate",
    "fairness_table",
    "get_generator_metric_names",
    "kaplan_meier",
    "km_absolute_optimism",
    "km_distance",
    "km_optimism",
    "km_short_sightedness",
    "ks_statistic",
    "length_similarity",
    "logrank_test",
    "make_fairness_scorer",
    "make_generator_scorer",
    "membership_inference_auc",
    "nndr",
    "precision_recall",
    "predictive_score",
    "segment_shares",
    "sequence_statistic_similarity",
    "sequence_statistics",
    "total_variation_distance",
    "trtr_score",
    "tstr_concordance",
    "tstr_integrated_brier_score",
    "tstr_score",
    "utility_table",
]
