"""The register: local authorities, establishments, links across URNs, trusts and groups.

Every row records the file it came from. Establishments carry the date of the
register snapshot they were last described by (``register_as_at``), so an
older snapshot imported later never overwrites newer facts.
"""

from __future__ import annotations

from django.db import models

from convenor.schools.querysets import EstablishmentQuerySet


class LocalAuthority(models.Model):
    code = models.PositiveIntegerField(primary_key=True, help_text="Three-digit DfE LA code")
    name = models.CharField(max_length=200)
    gss_code = models.CharField(max_length=9, blank=True)
    region_code = models.CharField(max_length=9, blank=True)
    region_name = models.CharField(max_length=100, blank=True)
    source_file = models.CharField(max_length=300)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Establishment(models.Model):
    """One establishment as GIAS knows it: one URN.

    A school that converts to an academy gets a new URN; the two are joined by
    :class:`EstablishmentLink` rows, so its history survives the change.
    """

    urn = models.PositiveIntegerField(primary_key=True)
    laestab = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    la_code = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    name = models.CharField(max_length=300)
    type_name = models.CharField(max_length=120, blank=True)
    type_group = models.CharField(max_length=120, blank=True)
    phase = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=60, blank=True)
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    age_low = models.PositiveSmallIntegerField(null=True, blank=True)
    age_high = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=30, blank=True)
    religious_character = models.CharField(max_length=120, blank=True)
    diocese = models.CharField(max_length=120, blank=True)
    admissions_policy = models.CharField(max_length=60, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    pupils = models.PositiveIntegerField(null=True, blank=True)
    pupils_census_date = models.DateField(null=True, blank=True)
    fsm_percent = models.FloatField(null=True, blank=True)
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    urban_rural = models.CharField(max_length=120, blank=True)
    district = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=120, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    trust_name = models.CharField(max_length=300, blank=True)
    sponsor_name = models.CharField(max_length=300, blank=True)
    federation_name = models.CharField(max_length=300, blank=True)
    other_urn = models.PositiveIntegerField(null=True, blank=True)
    is_state_funded = models.BooleanField(null=True, blank=True, help_text="None: not known")
    is_academy = models.BooleanField(null=True, blank=True, help_text="None: not known")
    register_as_at = models.DateField(help_text="Date of the register snapshot last applied")
    source_file = models.CharField(max_length=300)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["la_code", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    @property
    def is_open(self) -> bool:
        return self.status.startswith("Open")


class EstablishmentLink(models.Model):
    """A GIAS link: ``link_type`` is the role of ``link_urn`` relative to ``urn``."""

    urn = models.PositiveIntegerField(db_index=True)
    link_urn = models.PositiveIntegerField(db_index=True)
    link_type = models.CharField(max_length=80)
    link_name = models.CharField(max_length=300, blank=True)
    established = models.DateField(null=True, blank=True)
    source_file = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["urn", "link_urn", "link_type"], name="unique_establishment_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.urn} -> {self.link_urn} ({self.link_type})"


class UrnLookup(models.Model):
    """Every URN known to GIAS mapped to its latest successor (chains followed)."""

    old_urn = models.PositiveIntegerField(primary_key=True)
    latest_urn = models.PositiveIntegerField(db_index=True)
    source_file = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"{self.old_urn} -> {self.latest_urn}"


class Group(models.Model):
    """A GIAS group: trust, sponsor, federation and the like."""

    uid = models.PositiveIntegerField(primary_key=True)
    group_id = models.CharField(max_length=60, blank=True)
    name = models.CharField(max_length=300)
    group_type = models.CharField(max_length=80)
    status = models.CharField(max_length=40, blank=True)
    companies_house = models.CharField(max_length=20, blank=True)
    open_date = models.DateField(null=True, blank=True)
    closed_date = models.DateField(null=True, blank=True)
    incorporated_on = models.DateField(null=True, blank=True)
    ukprn = models.PositiveIntegerField(null=True, blank=True)
    source_file = models.CharField(max_length=300)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """An establishment's membership of a group, from the date it joined."""

    urn = models.PositiveIntegerField(db_index=True)
    group_uid = models.PositiveIntegerField(db_index=True)
    group_type = models.CharField(max_length=80)
    joined_date = models.DateField(null=True, blank=True)
    source_file = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["urn", "group_uid"], name="unique_group_membership")
        ]

    def __str__(self) -> str:
        return f"{self.urn} in {self.group_uid}"


class EstablishmentType(models.Model):
    """A GIAS establishment type; FE colleges list one row per further-education type."""

    code = models.PositiveIntegerField()
    name = models.CharField(max_length=120)
    group_code = models.PositiveIntegerField()
    group_name = models.CharField(max_length=120)
    fe_type = models.CharField(max_length=120, blank=True)
    source_file = models.CharField(max_length=300)

    class Meta:
        ordering = ["code", "fe_type"]
        constraints = [
            models.UniqueConstraint(fields=["code", "fe_type"], name="unique_establishment_type")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.fe_type})" if self.fe_type else self.name
