"""An active @context: term maps computed once per context, then cheap expansion and compaction."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from smartcity.context.jsonld import entity
from smartcity.context.jsonld.terms import TermDefinition, is_absolute_iri, is_keyword


class ActiveContext:
    """Immutable term maps for one resolved @context (user contexts first, the core last)."""

    __slots__ = ("_iri_of", "_prefixes", "_stored_of", "_term_of", "_terms", "_vocab", "core")

    def __init__(
        self,
        terms: Mapping[str, TermDefinition],
        vocab: str | None,
        core: ActiveContext | None = None,
    ) -> None:
        self._terms = MappingProxyType(dict(terms))
        self._vocab = vocab
        self._iri_of = {term: d.iri for term, d in terms.items()}
        # Compaction picks the shortest term, then the lexicographically least (JSON-LD 1.1 §6.2).
        ranked = sorted(terms, key=lambda t: (len(t), t))
        self._term_of: dict[str, str] = {}
        for term in ranked:
            iri = terms[term].iri
            if not is_keyword(iri):
                self._term_of.setdefault(iri, term)
        self._prefixes = tuple(
            (terms[t].iri, t) for t in ranked if terms[t].prefix and not is_keyword(terms[t].iri)
        )
        # The core context is its own reference for the stored form.
        self.core: ActiveContext = core if core is not None else self
        self._stored_of = {
            term: self.core.stored_from_iri(iri)
            for term, iri in self._iri_of.items()
            if not is_keyword(iri)
        }

    @property
    def terms(self) -> Mapping[str, TermDefinition]:
        """Every defined term and what it means."""
        return self._terms

    @property
    def vocab(self) -> str | None:
        """The vocabulary mapping (`@vocab`): with the core last, the NGSI-LD default context."""
        return self._vocab

    def expand_term(self, term: str) -> str:
        """The IRI for a term, compact IRI (`prefix:suffix`) or IRI; unknown terms use @vocab."""
        iri = self._iri_of.get(term)
        if iri is not None:
            return iri
        prefix, sep, suffix = term.partition(":")
        if sep:
            if prefix == "_" or suffix.startswith("//"):
                return term
            base = self._iri_of.get(prefix)
            if base is not None and not is_keyword(base):
                return base + suffix
            if is_absolute_iri(term):
                return term
        if is_keyword(term) or self._vocab is None:
            return term
        return self._vocab + term

    def expand_type(self, type_name: str) -> str:
        """The IRI for an entity or attribute type (types expand like terms, relative to @vocab)."""
        return self.expand_term(type_name)

    def compact_iri(self, iri: str) -> str:
        """The shortest term for `iri`, else its @vocab-relative name, a compact IRI, or itself."""
        term = self._term_of.get(iri)
        if term is not None:
            return term
        vocab = self._vocab
        if vocab and iri.startswith(vocab) and len(iri) > len(vocab):
            suffix = iri[len(vocab) :]
            if suffix not in self._iri_of and ":" not in suffix:
                return suffix
        best: str | None = None
        for base, prefix in self._prefixes:
            if iri.startswith(base) and len(iri) > len(base):
                candidate = f"{prefix}:{iri[len(base) :]}"
                if (best is None or (len(candidate), candidate) < (len(best), best)) and (
                    self._iri_of.get(candidate, iri) == iri
                ):
                    best = candidate
        return best if best is not None else iri

    def stored_from_iri(self, iri: str) -> str:
        """The stored form of an IRI: its core term if the core context has one, else the IRI."""
        term = self.core._term_of.get(iri)
        return term if term is not None else iri

    def stored_name(self, term: str) -> str:
        """The stored form of a client's name (attribute, type, vocab value); see the package."""
        stored = self._stored_of.get(term)
        return stored if stored is not None else self.stored_from_iri(self.expand_term(term))

    def present_name(self, stored: str) -> str:
        """A stored name as this context's client should see it (the inverse of `stored_name`)."""
        if ":" not in stored:  # a core term: stored names without a colon are always core terms
            iri = self.core._iri_of.get(stored)
            return self.compact_iri(iri) if iri is not None and not is_keyword(iri) else stored
        return self.compact_iri(stored)

    def expand_entity(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """A client's entity in the stored form (names expanded, `@context` dropped)."""
        return entity.expand_entity(self, payload)

    def compact_entity(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """A stored entity with its names compacted against this context (no `@context` member)."""
        return entity.compact_entity(self, stored)

    def __repr__(self) -> str:
        return f"<ActiveContext {len(self._terms)} terms, @vocab={self._vocab!r}>"
