from django.contrib import admin

from convenor.places import models

admin.site.register(models.YearGroupCount)
admin.site.register(models.PlaceScorecard)
