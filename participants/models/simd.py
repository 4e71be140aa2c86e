from django.db import models


class SimdPostcode(models.Model):
    """One row of the Scottish Index of Multiple Deprivation postcode lookup. Quintile 1 and
    decile 1 are the most deprived. `postcode` is stored normalised: upper case, one space
    before the last three characters ("G21 1AA")."""

    postcode = models.CharField(max_length=8, primary_key=True)
    data_zone = models.CharField(max_length=9)
    rank = models.PositiveIntegerField()
    vigintile = models.PositiveSmallIntegerField()
    decile = models.PositiveSmallIntegerField()
    quintile = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "SIMD postcode"

    def __str__(self) -> str:
        return f"{self.postcode}: quintile {self.quintile}"
