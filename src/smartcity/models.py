"""Every part's tables, gathered so migrations and tests see the whole schema."""

from smartcity.cases import evaluation_models  # noqa: F401
from smartcity.cases import models as case_models  # noqa: F401
from smartcity.context import models as context_models
from smartcity.context.subscriptions import models as subscription_models  # noqa: F401
from smartcity.core.db import Base
from smartcity.geo import models as geo_models
from smartcity.opendata import models as opendata_models  # noqa: F401
from smartcity.plan import models as plan_models  # noqa: F401
from smartcity.rules import models as rule_models  # noqa: F401
from smartcity.security import models as security_models
from smartcity.sensing import models as sensing_models
from smartcity.sensing.ingest import models as ingest_models  # noqa: F401

metadata = Base.metadata

__all__ = ["context_models", "geo_models", "metadata", "security_models", "sensing_models"]
