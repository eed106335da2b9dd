from transparency.models.assessments import AssessmentKind, ImpactAssessment
from transparency.models.population import PopulationBaseline
from transparency.models.releases import StatisticsRelease

__all__ = [
    "AssessmentKind",
    "ImpactAssessment",
    "PopulationBaseline",
    "StatisticsRelease",
]
