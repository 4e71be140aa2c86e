"""What the migrations and models hold."""

from referrals.models import Category


def test_the_managed_list_of_categories_is_seeded(db):
    assert list(Category.objects.values_list("name", flat=True)) == [
        "Physical activity",
        "Mental wellbeing",
        "Money advice",
        "Housing",
        "Employment and learning",
        "Social groups",
        "Carers",
        "Food",
        "Addiction recovery",
        "Arts and creativity",
        "Volunteering",
        "Legal",
        "Other",
    ]
