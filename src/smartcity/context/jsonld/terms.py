"""JSON-LD 1.1 context processing cut to what NGSI-LD needs: term definitions of local contexts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from smartcity.context.jsonld.errors import InvalidContext

_KEYWORD = re.compile(r"@[A-Za-z]+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
_TYPE_KEYWORDS = frozenset({"@id", "@vocab", "@json", "@none"})
_CONTEXT_KEYWORDS = frozenset(
    {"@version", "@vocab", "@protected", "@base", "@language", "@direction", "@propagate"}
)
_DEFINITION_KEYS = frozenset(
    {
        "@id",
        "@type",
        "@container",
        "@reverse",
        "@context",
        "@protected",
        "@prefix",
        "@language",
        "@direction",
        "@index",
        "@nest",
    }
)


def is_keyword(value: str) -> bool:
    """True for JSON-LD keywords such as `@id` or `@type`."""
    return _KEYWORD.fullmatch(value) is not None


def is_absolute_iri(value: str) -> bool:
    """True when `value` starts with a URI scheme (`https:`, `urn:`) or is a blank node id."""
    scheme, sep, _ = value.partition(":")
    return bool(sep) and (scheme == "_" or _SCHEME.fullmatch(scheme) is not None)


@dataclass(frozen=True, slots=True)
class TermDefinition:
    """What one term means: its IRI (or keyword), type mapping, container and flags."""

    iri: str
    type_mapping: str | None = None
    container: tuple[str, ...] = ()
    protected: bool = False
    prefix: bool = False

    def same_meaning(self, other: TermDefinition) -> bool:
        return (self.iri, self.type_mapping, self.container, self.prefix) == (
            other.iri,
            other.type_mapping,
            other.container,
            other.prefix,
        )


class ContextBuilder:
    """Applies local contexts in order, as the JSON-LD context processing algorithm does."""

    def __init__(self) -> None:
        self.terms: dict[str, TermDefinition] = {}
        self.vocab: str | None = None

    def reset(self) -> None:
        """A `null` @context: drop every definition, which protected terms forbid."""
        if any(d.protected for d in self.terms.values()):
            raise InvalidContext("a null @context cannot clear protected terms")
        self.terms, self.vocab = {}, None

    def apply(self, local: Any, *, override_protected: bool = False) -> None:
        """Add the definitions of one local context (a JSON object) to the active context."""
        if not isinstance(local, dict):
            raise InvalidContext(f"a local @context must be a JSON object, not {local!r:.80}")
        if local.get("@version", 1.1) != 1.1:
            raise InvalidContext("@version must be 1.1")
        if "@import" in local:
            raise InvalidContext("@import is not supported in @context")
        protected = local.get("@protected", False)
        if not isinstance(protected, bool):
            raise InvalidContext("@protected must be true or false")
        if "@vocab" in local:
            self.vocab = self._vocab_mapping(local["@vocab"])
        defined: dict[str, bool] = {}
        for term in local:
            if term.startswith("@"):
                if term not in _CONTEXT_KEYWORDS and is_keyword(term):
                    raise InvalidContext(f"keyword {term!r} cannot be redefined")
                continue
            self._define(local, term, defined, protected, override_protected)

    def _vocab_mapping(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise InvalidContext("@vocab must be an IRI or null")
        iri = self.expand_iri(value, None, {})
        if not is_absolute_iri(iri):
            raise InvalidContext(f"@vocab must be an absolute IRI, not {value!r}")
        return iri

    def _define(
        self,
        local: dict[str, Any],
        term: str,
        defined: dict[str, bool],
        protected: bool,
        override: bool,
    ) -> None:
        state = defined.get(term)
        if state:
            return
        if state is False:
            raise InvalidContext(f"cyclic IRI mapping involving term {term!r}")
        if term == "":
            raise InvalidContext("the empty string is not a valid term")
        defined[term] = False
        previous = self.terms.pop(term, None)
        definition = self._definition(local, term, local[term], defined, protected, override)
        if previous is not None and previous.protected and not override:
            if definition is None or not definition.same_meaning(previous):
                raise InvalidContext(
                    f"term {term!r} is protected (NGSI-LD core @context) and cannot be redefined"
                )
            definition = previous
        if definition is not None:
            self.terms[term] = definition
        defined[term] = True

    def _definition(
        self,
        local: dict[str, Any],
        term: str,
        raw: Any,
        defined: dict[str, bool],
        protected: bool,
        override: bool,
    ) -> TermDefinition | None:
        if raw is None:
            return None
        if isinstance(raw, str):
            raw = {"@id": raw}
            simple = True
        elif isinstance(raw, dict):
            simple = False
        else:
            raise InvalidContext(f"definition of term {term!r} must be a string or an object")
        unknown = set(raw) - _DEFINITION_KEYS
        if unknown:
            raise InvalidContext(f"term {term!r} has invalid members {sorted(unknown)}")
        if "@context" in raw:  # a scoped context would change names below this term
            raise InvalidContext(f"term {term!r} has a scoped @context, which is not supported")
        ctx = (local, defined, protected, override)
        iri = self._term_iri(term, raw.get("@reverse", raw.get("@id", term)), ctx)
        if iri is None:
            return None
        type_mapping = raw.get("@type")
        if type_mapping is not None:
            if not isinstance(type_mapping, str):
                raise InvalidContext(f"@type of term {term!r} must be a string")
            if type_mapping not in _TYPE_KEYWORDS:
                type_mapping = self.expand_iri(type_mapping, local, defined, *ctx[2:])
                if not is_absolute_iri(type_mapping):
                    raise InvalidContext(f"@type of term {term!r} is not an IRI")
        container = raw.get("@container", ())
        container = (container,) if isinstance(container, str) else container
        if not isinstance(container, list | tuple) or not all(
            isinstance(c, str) for c in container
        ):
            raise InvalidContext(f"@container of term {term!r} must be a string or list")
        flag = raw.get("@protected", protected)
        prefix = raw.get("@prefix")
        if prefix is None:
            prefix = simple and ":" not in term and "/" not in term and iri.endswith(_GEN_DELIMS)
        if not isinstance(flag, bool) or not isinstance(prefix, bool):
            raise InvalidContext(f"@protected/@prefix of term {term!r} must be true or false")
        return TermDefinition(iri, type_mapping, tuple(container), flag, prefix)

    def _term_iri(self, term: str, raw_id: Any, ctx: tuple[Any, ...]) -> str | None:
        local, defined, protected, override = ctx
        if raw_id is None:
            return None
        if not isinstance(raw_id, str):
            raise InvalidContext(f"@id of term {term!r} must be a string")
        if raw_id == term and ":" not in term:
            if self.vocab is None:
                raise InvalidContext(f"term {term!r} has no IRI and there is no @vocab")
            return self.vocab + term
        iri = self.expand_iri(raw_id, local, defined, protected, override)
        if not (is_keyword(iri) or is_absolute_iri(iri)):
            raise InvalidContext(f"term {term!r} does not map to an absolute IRI: {raw_id!r}")
        return iri

    def expand_iri(
        self,
        value: str,
        local: dict[str, Any] | None,
        defined: dict[str, bool],
        protected: bool = False,
        override: bool = False,
    ) -> str:
        """Expand `value` (a term, compact IRI or IRI) while the local context is processed."""
        if is_keyword(value):
            return value
        if local is not None and value in local and not defined.get(value):
            self._define(local, value, defined, protected, override)
        definition = self.terms.get(value)
        if definition is not None:
            return definition.iri
        prefix, sep, suffix = value.partition(":")
        if sep:
            if prefix == "_" or suffix.startswith("//"):
                return value
            if local is not None and prefix in local and not defined.get(prefix):
                self._define(local, prefix, defined, protected, override)
            base = self.terms.get(prefix)
            if base is not None and not is_keyword(base.iri):
                return base.iri + suffix
            return value
        return self.vocab + value if self.vocab is not None else value
