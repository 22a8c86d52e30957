"""A provider's capacity becomes places a term by intensity band instead of days.

Each provider's days become places by :func:`convenor.brokerage.capacity.places_for_days`
(one high place if 12 days are left, up to two medium, the rest low, at least one
place). Going back, a provider's days are what its places stand for. The old field is
made nullable first so that going back can add it to a table that has rows and fill it.
"""

from __future__ import annotations

from typing import Any

import django.db.models.lookups
from django.db import migrations, models

from convenor.brokerage.capacity import days_for, places_for_days


def days_to_places(apps: Any, schema_editor: Any) -> None:
    provider = apps.get_model("brokerage", "SupportProvider")
    for row in provider.objects.order_by("pk").only("pk", "capacity_days_per_term"):
        places = places_for_days(row.capacity_days_per_term or 0)
        provider.objects.filter(pk=row.pk).update(
            places_high=places["high"], places_medium=places["medium"], places_low=places["low"]
        )


def places_to_days(apps: Any, schema_editor: Any) -> None:
    provider = apps.get_model("brokerage", "SupportProvider")
    for row in provider.objects.order_by("pk"):
        days = days_for(
            {"high": row.places_high, "medium": row.places_medium, "low": row.places_low}
        )
        provider.objects.filter(pk=row.pk).update(capacity_days_per_term=days)


class Migration(migrations.Migration):
    dependencies = [
        ("brokerage", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="supportprovider",
            name="places_high",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="Schools a term at high", verbose_name="high-intensity places"
            ),
        ),
        migrations.AddField(
            model_name="supportprovider",
            name="places_medium",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Schools a term at medium",
                verbose_name="medium-intensity places",
            ),
        ),
        migrations.AddField(
            model_name="supportprovider",
            name="places_low",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="Schools a term at low", verbose_name="low-intensity places"
            ),
        ),
        migrations.AlterField(
            model_name="supportprovider",
            name="capacity_days_per_term",
            field=models.DecimalField(decimal_places=1, max_digits=4, null=True),
        ),
        migrations.RunPython(days_to_places, places_to_days, elidable=False),
        migrations.RemoveConstraint(
            model_name="supportprovider",
            name="provider_capacity_in_a_term",
        ),
        migrations.RemoveField(
            model_name="supportprovider",
            name="capacity_days_per_term",
        ),
        migrations.AddConstraint(
            model_name="supportprovider",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("places_high__gt", 0),
                    ("places_medium__gt", 0),
                    ("places_low__gt", 0),
                    _connector="OR",
                ),
                name="provider_offers_a_place",
            ),
        ),
        migrations.AddConstraint(
            model_name="supportprovider",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    models.F("places_high") * 12
                    + models.F("places_medium") * 6
                    + models.F("places_low") * 3,
                    65,
                ),
                name="provider_places_fit_a_term",
            ),
        ),
    ]
