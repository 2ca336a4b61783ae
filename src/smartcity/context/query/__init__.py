"""The NGSI-LD query language and geo-queries: parse into a typed tree, evaluate on entities.

``parse_q`` reads a ``q`` string (GS CIM 009 clause 4.9) into a tree of immutable nodes,
``evaluate`` tests it against one normalized entity, and ``parse_geoquery`` validates the
``georel``/``geometry``/``coordinates``/``geoproperty`` parameters (clause 4.10).
"""

from smartcity.context.query.ast import (
    And,
    AttrPath,
    Comparison,
    Exists,
    LinkedPath,
    Literal,
    NotExists,
    Operator,
    Or,
    Path,
    PatternMatch,
    QueryNode,
    QueryValue,
    Range,
    Term,
    ValueKind,
    ValueList,
    conjunction,
    disjunction,
    expand_values,
    iter_paths,
    map_attributes,
)
from smartcity.context.query.evaluate import EntityResolver, evaluate
from smartcity.context.query.geo import GeoQuery, GeoQuerySyntaxError, GeoRel, parse_geoquery
from smartcity.context.query.q import MAX_NESTING, MAX_QUERY_LENGTH, QuerySyntaxError, parse_q

__all__ = [
    "MAX_NESTING",
    "MAX_QUERY_LENGTH",
    "And",
    "AttrPath",
    "Comparison",
    "EntityResolver",
    "Exists",
    "GeoQuery",
    "GeoQuerySyntaxError",
    "GeoRel",
    "LinkedPath",
    "Literal",
    "NotExists",
    "Operator",
    "Or",
    "Path",
    "PatternMatch",
    "QueryNode",
    "QuerySyntaxError",
    "QueryValue",
    "Range",
    "Term",
    "ValueKind",
    "ValueList",
    "conjunction",
    "disjunction",
    "evaluate",
    "expand_values",
    "iter_paths",
    "map_attributes",
    "parse_geoquery",
    "parse_q",
]
