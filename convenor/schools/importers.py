"""Import kinds for the register: LAs, establishments, links, groups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields as dataclass_fields
from datetime import date
from pathlib import Path

from convenor.core.importing import (
    ImportContext,
    ImportKind,
    Plan,
    Target,
    records_plan,
    register,
)
from convenor.core.rows import Fields, fill_blanks, prefer_known
from convenor.schools.models import (
    Establishment,
    EstablishmentLink,
    EstablishmentType,
    Group,
    GroupMembership,
    LocalAuthority,
    UrnLookup,
)
from convenor.sources import gias, links, locations, spine
from convenor.sources import register as reg
from convenor.sources.base import ReadResult


def merge_snapshots(existing: Fields, incoming: Fields) -> Fields:
    """A newer register snapshot (or the same file again) wins; any other only fills blanks."""
    newer = incoming["register_as_at"] > existing["register_as_at"]
    if newer or incoming["source_file"] == existing["source_file"]:
        return prefer_known(existing, incoming)
    merged = fill_blanks(existing, incoming)
    merged["register_as_at"] = existing["register_as_at"]
    merged["source_file"] = existing["source_file"]
    return merged


ESTABLISHMENT = Target(Establishment, ("urn",), merge=merge_snapshots)
_TEXT_FIELDS = {
    f.name
    for f in Establishment._meta.get_fields()
    if getattr(f, "get_internal_type", lambda: "")() == "CharField"
}


def establishment_fields(record: reg.EstablishmentRecord) -> Fields:
    fields: Fields = {}
    for f in dataclass_fields(record):
        if f.name in ("as_at", "source", "links", "minor_group"):
            continue
        value = getattr(record, f.name)
        fields[f.name] = "" if value is None and f.name in _TEXT_FIELDS else value
    fields["is_state_funded"] = record.is_state_funded
    fields["is_academy"] = record.is_academy
    fields["register_as_at"] = record.as_at
    return fields


def establishment_plan(
    reader: Callable[[Path], ReadResult[reg.EstablishmentRecord]],
) -> Callable[[Path, ImportContext], Plan]:
    # The register is scoped by its own LA column: a school's URN is not yet
    # known to the database when the register itself is being imported.
    return records_plan(
        reader,
        ESTABLISHMENT,
        establishment_fields,
        urns=lambda r: (r.urn,),
        area=lambda r: None if r.la_code is None else ("la", str(r.la_code)),
    )


# The date each England-wide register file describes, from the data guide. A
# reader can only infer it from the latest date inside the file, which for
# one LA's extract of the same file is earlier.
KNOWN_SNAPSHOTS = {
    "2017-2018_england_spine.xlsx": date(2019, 11, 7),
    "school_details_2018.csv": date(2019, 11, 7),
}


def _snapshot_reader(
    read: Callable[..., ReadResult[reg.EstablishmentRecord]],
) -> Callable[[Path], ReadResult[reg.EstablishmentRecord]]:
    return lambda path: read(path, as_at=KNOWN_SNAPSHOTS.get(path.name))


def _la_fields(r: reg.LocalAuthorityRecord) -> Fields:
    return {
        "code": r.code,
        "name": r.name,
        "gss_code": r.gss_code or "",
        "region_code": r.region_code or "",
        "region_name": r.region_name or "",
    }


def _la_names_only(r: reg.LocalAuthorityRecord) -> Fields:
    # The performance-tables "regions" are DfE groupings, not ONS regions:
    # keep the LA names only, so the ONS regions from dim_la are never replaced.
    return {**_la_fields(r), "gss_code": "", "region_code": "", "region_name": ""}


def _la_area(r: reg.LocalAuthorityRecord) -> tuple[str, str]:
    return ("la", str(r.code))


def _type_fields(r: reg.EstablishmentTypeRecord) -> Fields:
    return {
        "code": r.type_code,
        "name": r.type_name,
        "group_code": r.group_code,
        "group_name": r.group_name,
        "fe_type": r.fe_type or "",
    }


def _link_fields(r: links.LinkRecord) -> Fields:
    return {
        "urn": r.urn,
        "link_urn": r.link_urn,
        "link_type": r.link_type,
        "link_name": r.link_name or "",
        "established": r.established,
    }


def _group_fields(r: links.GroupRecord) -> Fields:
    return {
        "uid": r.uid,
        "group_id": r.group_id or "",
        "name": r.name,
        "group_type": r.group_type,
        "status": r.status or "",
        "companies_house": r.companies_house or "",
        "open_date": r.open_date,
        "closed_date": r.closed_date,
        "incorporated_on": r.incorporated_on,
        "ukprn": r.ukprn,
    }


def _membership_fields(r: links.GroupLinkRecord) -> Fields:
    return {
        "urn": r.urn,
        "group_uid": r.group_uid,
        "group_type": r.group_type,
        "joined_date": r.joined_date,
    }


register(
    ImportKind(
        "las",
        "Local authorities with ONS codes and regions (dim_la.csv)",
        records_plan(
            reg.read_local_authorities,
            Target(LocalAuthority, ("code",), merge=prefer_known),
            _la_fields,
            area=_la_area,
        ),
        ("admissions_school_level_clarelgibson/dim_la.csv",),
        order=10,
    )
)
register(
    ImportKind(
        "la-names",
        "Local authority names from the performance tables' code list",
        records_plan(
            reg.read_la_region_codes,
            Target(LocalAuthority, ("code",), merge=fill_blanks),
            _la_names_only,
            area=_la_area,
        ),
        ("perf_tables_2019_kspdev/la_and_region_codes_meta.csv",),
        order=11,
    )
)
register(
    ImportKind(
        "establishment-types",
        "GIAS establishment types and type groups",
        records_plan(
            gias.read_establishment_types,
            Target(EstablishmentType, ("code", "fe_type")),
            _type_fields,
        ),
        ("gias_links_witan/edubasealldata20250422-establishment-types.csv",),
        order=12,
    )
)
register(
    ImportKind(
        "spine",
        "DfE school information spine (register, November 2019; xlsx or csv)",
        establishment_plan(_snapshot_reader(spine.read_spine)),
        (
            "perf_england_waiky8/2017-2018_england_spine.xlsx",
            "perf_tables_la815_north_yorkshire/815_spine.csv",
        ),
        order=20,
    )
)
register(
    ImportKind(
        "school-details",
        "Register with latest rating (ofsted_history_waiky8/school_details_2018.csv)",
        establishment_plan(_snapshot_reader(spine.read_school_details)),
        ("ofsted_history_waiky8/school_details_2018.csv",),
        order=21,
    )
)
register(
    ImportKind(
        "gias",
        "GIAS establishment download (raw layout, ragged link columns)",
        establishment_plan(gias.read_gias_establishments),
        (
            "gias_hants_surrey/2021-gias.csv",
            "gias_hants_surrey/20220419-gias.csv",
            "gias_hants_surrey/20220420_gias.csv",
        ),
        order=22,
    )
)
register(
    ImportKind(
        "school-dimension",
        "GIAS July 2022 open state-funded mainstream schools (dim_school + fct_school)",
        establishment_plan(
            lambda path: gias.read_school_dimension(path, path.with_name("fct_school.csv"))
        ),
        ("admissions_school_level_clarelgibson/dim_school.csv",),
        order=23,
    )
)
register(
    ImportKind(
        "links",
        "GIAS links between URNs (predecessor, successor, merger ...)",
        records_plan(
            links.read_links,
            Target(EstablishmentLink, ("urn", "link_urn", "link_type")),
            _link_fields,
            urns=lambda r: (r.urn, r.link_urn),
        ),
        (
            "gias_links_witan/links_edubasealldata20230421.csv",
            "gias_links_witan/links_edubasealldata20250422.csv",
        ),
        order=30,
    )
)
register(
    ImportKind(
        "groups",
        "GIAS groups: trusts, sponsors, federations",
        records_plan(links.read_groups, Target(Group, ("uid",)), _group_fields),
        ("gias_groups_ajb1970/groups.csv",),
        order=31,
    )
)
register(
    ImportKind(
        "group-links",
        "Establishments' group memberships",
        records_plan(
            links.read_group_links,
            Target(GroupMembership, ("urn", "group_uid")),
            _membership_fields,
            urns=lambda r: (r.urn,),
        ),
        ("gias_groups_ajb1970/group_links.csv",),
        order=32,
    )
)
register(
    ImportKind(
        "urn-lookup",
        "Every URN to its latest successor URN",
        records_plan(
            links.read_urn_lookup,
            Target(UrnLookup, ("old_urn",)),
            lambda r: {"old_urn": r.old_urn, "latest_urn": r.latest_urn},
            urns=lambda r: (r.old_urn, r.latest_urn),
        ),
        ("gias_groups_ajb1970/lookup.csv",),
        order=33,
    )
)


register(
    ImportKind(
        "school-locations",
        "Latitude and longitude of schools with 2018/19 results (adds to the register)",
        records_plan(
            locations.read_locations,
            Target(Establishment, ("urn",), merge=fill_blanks, update_only=True),
            lambda r: {"urn": r.urn, "latitude": r.latitude, "longitude": r.longitude},
            urns=lambda r: (r.urn,),
        ),
        (
            "perf_england_2019_waiky8/england_ks2final.csv",
            "perf_england_2019_waiky8/england_ks4final.csv",
        ),
        order=24,
    )
)
