"""Every rule the importer checks, one test each, with the exact `file:line: column: message`
line it reports. Messages never repeat a CHI number, a name or a date of birth: they may be
shown to programme leads and end up in logs."""

from datetime import date, timedelta

import pytest

from exchange import reading
from exchange.importer.planning import Planner
from participants.models import Participant
from participants.rules import plausible_date_range
from tests.exchange.conftest import (
    CHI_MORVEN,
    CHI_RYAN,
    check,
    load,
    replace_line,
    set_cell,
)
from tests.factories import ParticipantFactory, PracticeFactory, UserFactory
from tests.referrals.factories import ResourceFactory

pytestmark = pytest.mark.django_db

# In the future, yet a plausible date.
NEXT_YEAR = (date.today() + timedelta(days=365)).isoformat()


def problems(files) -> list[str]:
    return check(files).problems


@pytest.fixture(autouse=True, params=[None, 1], ids=["chunked", "a-row-at-a-time"])
def chunk(request, monkeypatch):
    """Every check finds the same problems whether a file is read in one chunk or a row at a
    time (what an import of millions of rows does, a few thousand rows at a time)."""
    if request.param:
        monkeypatch.setattr(reading, "CHUNK_ROWS", request.param)


def test_the_base_files_are_valid(base_files):
    assert problems(base_files) == []


# Reading: text, CSV and header


def test_a_file_that_is_not_utf8_is_refused_with_its_line(base_files):
    files = {
        **base_files,
        "staff.csv": base_files["staff.csv"].replace("Kim Clark", "Kim Cl\udce9rk"),
    }
    sources = {name: text.encode("utf-8", "surrogateescape") for name, text in files.items()}
    from exchange.importer import programme_check

    assert programme_check(sources=sources, user=None).problems == [
        'staff.csv:2: row: is not UTF-8 text: save the file as "CSV UTF-8"'
    ]


def test_a_byte_order_mark_before_the_header_is_not_part_of_it(base_files):
    assert problems({**base_files, "staff.csv": "\ufeff" + base_files["staff.csv"]}) == []


def test_an_extra_column_is_an_error(base_files):
    files = replace_line(
        base_files,
        "practices.csv",
        1,
        "code,name,health_board,deep_end,list_size,joined,left,notes",
    )
    files = {
        **files,
        "practices.csv": files["practices.csv"].replace("2017-04-01,\n", "2017-04-01,,x\n"),
    }
    assert problems(files) == ["practices.csv:1: notes: unexpected column"]


def test_a_missing_column_is_an_error(base_files):
    lines = base_files["participants.csv"].splitlines()
    without_sex = "\n".join(
        ",".join(cell for i, cell in enumerate(line.split(",")) if i != 7) for line in lines
    )
    assert problems({**base_files, "participants.csv": without_sex + "\n"}) == [
        "participants.csv:1: sex: missing column"
    ]


def test_a_column_named_twice_is_an_error(base_files):
    files = replace_line(
        base_files, "staff_survey.csv", 1, "practice_code,year,year,give_up_within_5y"
    )
    assert problems(files) == [
        "staff_survey.csv:1: year: the column appears twice",
        "staff_survey.csv:1: wellbeing_activities: missing column",
    ]


def test_columns_may_come_in_any_order(base_files):
    lines = base_files["staff_survey.csv"].splitlines()
    swapped = "\n".join(",".join(reversed(line.split(","))) for line in lines) + "\n"
    assert problems({**base_files, "staff_survey.csv": swapped}) == []


def test_a_file_without_a_header_is_refused_without_repeating_its_first_row(base_files):
    lines = base_files["participants.csv"].splitlines()
    text = "\n".join(lines[1:]) + "\n"
    found = problems({**base_files, "participants.csv": text})
    assert found == [
        "participants.csv:1: header: the first line must be the header: ref, practice_code, "
        "clp_username, chi, first_name, last_name, date_of_birth, sex, postcode, referred_on, "
        "referred_by, needs, status, closed_on, discharge_reason"
    ]
    assert CHI_MORVEN not in found[0] and "Morven" not in found[0]


def test_an_empty_file_is_refused(base_files):
    assert problems({**base_files, "referrals.csv": ""}) == [
        "referrals.csv:1: header: the file is empty: it needs at least the header row"
    ]


def test_a_row_with_too_few_values_is_an_error(base_files):
    files = replace_line(base_files, "consultations.csv", 3, "P2001,2024-02-03,kim.clp")
    assert problems(files) == ["consultations.csv:3: row: has 3 values; the header has 6"]


def test_a_file_cut_short_at_a_value_boundary_is_refused_naming_its_last_line(base_files):
    """Cut just after a comma-free value, the last row still has every column it needs if
    its optional trailing columns are blank: only the missing line break tells."""
    text = base_files["consultations.csv"]
    lines = text.splitlines()
    cut = "\n".join(lines)  # no line break after the last row
    assert problems({**base_files, "consultations.csv": cut}) == [
        f"consultations.csv:{len(lines)}: row: does not end with a line break, so the file "
        "may have been cut short here: check this last line and save the file again"
    ]
    assert problems({**base_files, "consultations.csv": cut + "\r\n"}) == []


def test_a_row_that_is_not_csv_is_an_error(base_files):
    files = replace_line(
        base_files, "consultations.csv", 3, 'P2001,"2024-02-03"x,kim.clp,home,5,yes'
    )
    assert problems(files) == [
        "consultations.csv:3: row: could not be read as CSV "
        "(look for a stray quote mark or a control character)"
    ]


def test_blank_lines_are_skipped_and_later_lines_keep_their_numbers(base_files):
    text = base_files["consultations.csv"].replace(
        "\nP2001,2024-02-03", "\n\n,,,,,\nP2001,2024-02-03"
    )
    text = text.replace("telephone", "phone")
    assert problems({**base_files, "consultations.csv": text}) == [
        "consultations.csv:5: mode: must be one of: practice, home, telephone, video"
    ]


def test_a_file_that_is_not_a_programme_file_is_an_error(base_files):
    assert problems({**base_files, "participant.csv": "ref\n"}) == [
        "participant.csv:1: file: is not one of the programme files (practices.csv, staff.csv, "
        "resources.csv, participants.csv, consultations.csv, referrals.csv, assessments.csv, "
        "staff_survey.csv)"
    ]


def test_absent_files_are_skipped(base_files):
    assert problems({"practices.csv": base_files["practices.csv"]}) == []


# Values


def test_a_bad_date_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 2, "referred_on", "2024-13-01")
    assert problems(files) == [
        "participants.csv:2: referred_on: must be a real date written YYYY-MM-DD"
    ]


def test_an_implausible_date_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 2, "referred_on", "9999-12-31")
    latest = plausible_date_range()[1]
    assert (
        f"participants.csv:2: referred_on: must be a date from 1900-01-01 to {latest.isoformat()}"
        in check(files).problems
    )


def test_a_date_not_written_yyyy_mm_dd_is_an_error(base_files):
    files = set_cell(base_files, "practices.csv", 2, "joined", "01/04/2017")
    assert problems(files) == ["practices.csv:2: joined: must be a real date written YYYY-MM-DD"]


def test_a_bad_choice_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 2, "sex", "f")
    assert problems(files) == [
        "participants.csv:2: sex: must be one of: female, male, other, not_known"
    ]


def test_choices_and_yes_no_are_read_in_any_case(base_files):
    files = set_cell(base_files, "participants.csv", 2, "sex", "Female")
    files = set_cell(files, "staff_survey.csv", 2, "wellbeing_activities", "YES")
    assert problems(files) == []


def test_a_yes_no_column_takes_only_yes_or_no(base_files):
    files = set_cell(base_files, "practices.csv", 2, "deep_end", "true")
    assert problems(files) == ["practices.csv:2: deep_end: must be yes or no"]


def test_a_required_value_that_is_blank_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 2, "first_name", "")
    assert problems(files) == ["participants.csv:2: first_name: is required"]


def test_a_value_that_is_too_long_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 2, "first_name", "M" * 101)
    assert problems(files) == ["participants.csv:2: first_name: is longer than 100 characters"]


def test_a_number_out_of_range_is_an_error(base_files):
    files = set_cell(base_files, "consultations.csv", 2, "duration_minutes", "481")
    assert problems(files) == [
        "consultations.csv:2: duration_minutes: must be a whole number from 0 to 480"
    ]


def test_a_bad_hads_item_is_an_error(base_files):
    files = set_cell(base_files, "assessments.csv", 2, "hads_4", "4")
    assert problems(files) == ["assessments.csv:2: hads_4: must be a whole number from 0 to 3"]


def test_a_blank_hads_item_is_an_unanswered_item(base_files):
    files = set_cell(base_files, "assessments.csv", 2, "hads_4", "")
    assert problems(files) == []


def test_exercise_days_run_from_0_to_7(base_files):
    files = set_cell(base_files, "assessments.csv", 2, "exercise_days", "8")
    assert problems(files) == [
        "assessments.csv:2: exercise_days: must be a whole number from 0 to 7"
    ]


def test_a_year_outside_the_survey_range_is_an_error(base_files):
    files = set_cell(base_files, "staff_survey.csv", 3, "year", "1999")
    assert problems(files) == ["staff_survey.csv:3: year: must be a whole number from 2000 to 2100"]


def test_a_bad_postcode_is_an_error_without_repeating_it(base_files):
    files = set_cell(base_files, "participants.csv", 2, "postcode", "G99 ZZZ9")
    assert problems(files) == ["participants.csv:2: postcode: is not a valid UK postcode"]


def test_a_bad_email_address_is_an_error(base_files):
    files = set_cell(base_files, "staff.csv", 2, "email", "kim.clp-at-example.org")
    assert problems(files) == ["staff.csv:2: email: is not a valid email address"]


def test_a_bad_website_is_an_error(base_files):
    files = set_cell(base_files, "resources.csv", 2, "website", "strollers.example.org")
    assert problems(files) == [
        "resources.csv:2: website: is not a valid web address (one starting https:// or "
        "http://, at most 200 characters)"
    ]


def test_a_username_with_spaces_is_an_error(base_files):
    files = set_cell(base_files, "staff.csv", 2, "username", "kim clp")
    found = problems(files)
    assert found[0] == (
        "staff.csv:2: username: must be at most 150 letters, digits and the characters @ . + - _"
    )


def test_a_list_with_a_blank_item_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 2, "needs", "Money and debt;")
    assert problems(files) == ["participants.csv:2: needs: item 2 is blank"]


def test_a_list_that_repeats_an_item_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 2, "needs", "Housing;Money and debt;Housing")
    assert problems(files) == ["participants.csv:2: needs: item 3 repeats item 1"]


# References between files and to the database


def test_an_unknown_practice_code_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 3, "practice_code", "39999")
    assert problems(files) == ["participants.csv:3: practice_code: is not a known practice code"]


def test_a_practice_already_in_the_database_is_known(base_files):
    PracticeFactory(code="39999")
    files = set_cell(base_files, "participants.csv", 3, "practice_code", "39999")
    assert problems(files) == []


def test_an_unknown_clp_username_is_an_error(base_files):
    files = set_cell(base_files, "consultations.csv", 2, "clp_username", "nobody")
    files = set_cell(files, "participants.csv", 2, "clp_username", "nobody")
    assert problems(files) == [
        "participants.csv:2: clp_username: is not a known username",
        "consultations.csv:2: clp_username: is not a known username",
    ]


def test_a_person_already_in_the_database_is_known(base_files):
    UserFactory(username="sam.clp")
    files = set_cell(base_files, "participants.csv", 2, "clp_username", "sam.clp")
    assert problems(files) == []


def test_an_unknown_participant_ref_is_an_error(base_files):
    files = set_cell(base_files, "referrals.csv", 2, "participant_ref", "P7777")
    assert problems(files) == ["referrals.csv:2: participant_ref: is not a known participant ref"]


def test_a_participant_ref_must_be_p_and_digits(base_files):
    files = set_cell(base_files, "participants.csv", 2, "ref", "X2001")
    found = problems(files)
    assert (
        found[0] == "participants.csv:2: ref: must be P followed by up to 9 digits, such as P1234"
    )


def test_a_duplicate_ref_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 3, "ref", "P2001")
    assert problems(files) == ["participants.csv:3: ref: the same ref is on line 2"]


def test_an_unknown_need_is_an_error_naming_its_position(base_files):
    files = set_cell(base_files, "participants.csv", 2, "needs", "Money and debt;Debts")
    assert problems(files) == ["participants.csv:2: needs: item 2 is not on the needs list"]


def test_an_unknown_category_is_an_error(base_files):
    files = set_cell(base_files, "resources.csv", 3, "categories", "Moneyy advice")
    assert problems(files) == ["resources.csv:3: categories: item 1 is not a resource category"]


def test_an_unknown_service_is_an_error(base_files):
    files = set_cell(base_files, "referrals.csv", 2, "resource_name", "Thursday walking group")
    assert problems(files) == [
        "referrals.csv:2: resource_name: is not a service in the file or directory"
    ]


def test_a_service_name_shared_by_two_organisations_cannot_be_matched(base_files, admin_user):
    ResourceFactory(name="Tuesday walking group", organisation="One", created_by=admin_user)
    ResourceFactory(name="Tuesday walking group", organisation="Two", created_by=admin_user)
    message = "more than one service in the directory has this name: rename one of them there first"
    assert problems(base_files) == [
        f"resources.csv:2: name: {message}",
        f"referrals.csv:2: resource_name: {message}",
    ]


def test_a_duplicate_service_name_is_an_error(base_files):
    files = set_cell(base_files, "resources.csv", 3, "name", "Tuesday walking group")
    assert problems(files) == ["resources.csv:3: name: the same name is on line 2"]


def test_a_new_service_needs_someone_to_record_as_adding_it(base_files):
    result = load(base_files, user=None)
    assert result.problems == [
        "resources.csv:2: name: new services are recorded as added by the person importing "
        "them: name that person (import_programme --user USERNAME)"
    ]


# CHI numbers


def _with_chi(base_files, chi):
    return set_cell(base_files, "participants.csv", 2, "chi", chi)


def test_a_chi_number_that_is_not_ten_digits_is_an_error(base_files):
    found = problems(_with_chi(base_files, CHI_MORVEN[:9]))
    assert found == ["participants.csv:2: chi: must be 10 digits"]


def test_a_chi_number_whose_date_is_not_real_is_an_error(base_files):
    files = set_cell(
        _with_chi(base_files, "3102611234"), "participants.csv", 2, "date_of_birth", ""
    )
    assert problems(files) == [
        "participants.csv:2: chi: the first six digits are not a real date (DDMMYY)",
        "participants.csv:2: date_of_birth: is required",
    ]


def test_a_chi_number_that_disagrees_with_the_date_of_birth_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 2, "date_of_birth", "1961-02-25")
    found = problems(files)
    assert found == ["participants.csv:2: chi: does not match date_of_birth"]
    assert "1961" not in found[0] and "2402" not in found[0]


def test_a_chi_number_that_disagrees_with_sex_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 2, "sex", "male")
    assert problems(files) == [
        "participants.csv:2: chi: the ninth digit does not match sex (odd for male, even for "
        "female)"
    ]


def test_a_chi_number_with_a_wrong_check_digit_is_an_error(base_files):
    wrong = CHI_MORVEN[:9] + str((int(CHI_MORVEN[9]) + 1) % 10)
    found = problems(_with_chi(base_files, wrong))
    assert found == ["participants.csv:2: chi: the check digit is wrong"]
    assert wrong not in found[0] and "Morven" not in found[0]


def test_a_chi_number_with_spaces_is_read_without_them(base_files):
    spaced = f"{CHI_MORVEN[:3]} {CHI_MORVEN[3:6]} {CHI_MORVEN[6:]}"
    assert problems(_with_chi(base_files, spaced)) == []


def test_the_same_chi_number_twice_in_the_file_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 3, "chi", CHI_MORVEN)
    files = set_cell(files, "participants.csv", 3, "date_of_birth", "1961-02-24")
    files = set_cell(files, "participants.csv", 3, "sex", "female")
    assert problems(files) == ["participants.csv:3: chi: the same CHI number is on line 2"]


def test_a_chi_number_registered_to_another_participant_is_an_error(base_files):
    from datetime import date

    ParticipantFactory(ref="P5555", chi=CHI_RYAN, date_of_birth=date(1990, 4, 15), sex="male")
    assert problems(base_files) == ["participants.csv:3: chi: is already registered to P5555"]


# Dates and case status


def test_a_referral_date_in_the_future_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 2, "referred_on", NEXT_YEAR)
    assert problems(files) == [
        "participants.csv:2: referred_on: is in the future",
        "consultations.csv:2: date: is before the participant's referred_on date",
        "consultations.csv:3: date: is before the participant's referred_on date",
        "referrals.csv:2: date: is before the participant's referred_on date",
        "assessments.csv:2: date: is before the participant's referred_on date",
    ]


def test_a_date_of_birth_after_the_referral_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 3, "referred_on", "1989-01-01")
    files = set_cell(files, "participants.csv", 3, "closed_on", "1989-06-30")
    assert problems(files) == ["participants.csv:3: date_of_birth: is after referred_on"]


def test_a_closed_case_needs_a_closing_date_and_reason(base_files):
    files = set_cell(base_files, "participants.csv", 3, "closed_on", "")
    files = set_cell(files, "participants.csv", 3, "discharge_reason", "")
    assert problems(files) == [
        "participants.csv:3: closed_on: is required when status is closed",
        "participants.csv:3: discharge_reason: is required when status is closed",
    ]


def test_an_open_case_has_no_closing_date_or_reason(base_files):
    files = set_cell(base_files, "participants.csv", 2, "closed_on", "2024-05-01")
    files = set_cell(files, "participants.csv", 2, "discharge_reason", "moved")
    assert problems(files) == [
        "participants.csv:2: closed_on: must be blank when status is open",
        "participants.csv:2: discharge_reason: must be blank when status is open",
    ]


def test_a_case_cannot_close_before_it_was_referred(base_files):
    files = set_cell(base_files, "participants.csv", 3, "closed_on", "2024-01-31")
    assert problems(files) == ["participants.csv:3: closed_on: is before referred_on"]


def test_a_bad_discharge_reason_is_an_error(base_files):
    files = set_cell(base_files, "participants.csv", 3, "discharge_reason", "finished")
    assert problems(files) == [
        "participants.csv:3: discharge_reason: must be one of: goals_met, disengaged, "
        "referred_on, moved, died, withdrew, other"
    ]


def test_a_consultation_before_the_referral_is_an_error(base_files):
    files = set_cell(base_files, "consultations.csv", 2, "date", "2024-01-14")
    assert problems(files) == [
        "consultations.csv:2: date: is before the participant's referred_on date"
    ]


def test_a_consultation_in_the_future_is_an_error(base_files):
    files = set_cell(base_files, "consultations.csv", 2, "date", NEXT_YEAR)
    assert problems(files) == ["consultations.csv:2: date: is in the future"]


def test_a_consultation_not_attended_lasts_no_time(base_files):
    files = set_cell(base_files, "consultations.csv", 3, "duration_minutes", "15")
    assert problems(files) == [
        "consultations.csv:3: duration_minutes: must be 0 when attended is no"
    ]


def test_a_practice_cannot_leave_before_it_joined(base_files):
    files = set_cell(base_files, "practices.csv", 3, "left", "2017-01-01")
    assert problems(files) == ["practices.csv:3: left: is before joined"]


def test_a_duplicate_practice_code_is_an_error(base_files):
    text = base_files["practices.csv"] + "30001,Another Practice,lothian,no,,2018-01-15,\n"
    assert problems({**base_files, "practices.csv": text}) == [
        "practices.csv:4: code: the same code is on line 2"
    ]


# Staff


def test_a_programme_lead_has_no_practices(base_files):
    files = set_cell(base_files, "staff.csv", 4, "practice_codes", "30001")
    assert problems(files) == ["staff.csv:4: practice_codes: must be blank for a programme lead"]


def test_a_programme_lead_needs_a_start_date(base_files):
    files = set_cell(base_files, "staff.csv", 4, "start_date", "")
    assert problems(files) == ["staff.csv:4: start_date: is required for a programme lead"]


def test_staff_at_practices_need_a_start_date(base_files):
    files = set_cell(base_files, "staff.csv", 3, "start_date", "")
    assert problems(files) == [
        "staff.csv:3: start_date: is required when practice_codes is filled in"
    ]


def test_staff_at_no_practice_have_no_start_date(base_files):
    files = set_cell(base_files, "staff.csv", 3, "practice_codes", "")
    assert problems(files) == [
        "staff.csv:3: start_date: must be blank when practice_codes is blank"
    ]


def test_an_unknown_practice_in_practice_codes_is_an_error(base_files):
    files = set_cell(base_files, "staff.csv", 2, "practice_codes", "30001;39999")
    assert problems(files) == ["staff.csv:2: practice_codes: item 2 is not a known practice code"]


def test_a_person_has_one_row_per_role(base_files):
    files = replace_line(
        base_files,
        "staff.csv",
        4,
        "kim.clp,Kim Clark,kim.clp@example.org,clp,30002,2019-01-01",
    )
    assert problems(files) == ["staff.csv:4: role: this person's row in this role is on line 2"]


def test_a_persons_rows_agree_on_their_name_and_email(base_files):
    files = replace_line(
        base_files,
        "staff.csv",
        4,
        "kim.clp,Kim Clarke,kim@example.org,programme_lead,,2016-01-01",
    )
    assert problems(files) == [
        "staff.csv:4: full_name: differs from line 2, a row for the same username",
        "staff.csv:4: email: differs from line 2, a row for the same username",
    ]


# Referrals, assessments, survey


def test_two_open_referrals_to_one_service_are_an_error(base_files):
    text = base_files["referrals.csv"] + "P2001,Tuesday walking group,2024-03-01,suggested,\n"
    assert problems({**base_files, "referrals.csv": text}) == [
        "referrals.csv:3: status: line 2 is also an open referral of this participant to this "
        "service"
    ]


def test_an_open_referral_beside_one_open_in_the_database_is_an_error(base_files, admin_user):
    load(base_files, user=admin_user)
    files = set_cell(base_files, "referrals.csv", 2, "date", "2024-03-01")
    assert problems(files) == [
        "referrals.csv:2: status: the participant already has another open referral to this "
        "service: close one of them"
    ]


def test_a_closed_referral_may_sit_beside_an_open_one(base_files):
    text = base_files["referrals.csv"] + "P2001,Tuesday walking group,2024-01-20,declined,\n"
    assert problems({**base_files, "referrals.csv": text}) == []


def test_one_assessment_per_timepoint(base_files):
    text = base_files["assessments.csv"] + "P2001,2024-02-20,baseline,,,,,,,,,,,,,,,\n"
    assert problems({**base_files, "assessments.csv": text}) == [
        "assessments.csv:3: timepoint: this participant's baseline is on line 2"
    ]


def test_an_assessment_before_the_referral_is_an_error(base_files):
    files = set_cell(base_files, "assessments.csv", 2, "date", "2023-12-31")
    assert problems(files) == [
        "assessments.csv:2: date: is before the participant's referred_on date"
    ]


def test_a_survey_for_an_unknown_practice_is_an_error(base_files):
    files = set_cell(base_files, "staff_survey.csv", 2, "practice_code", "39999")
    assert problems(files) == ["staff_survey.csv:2: practice_code: is not a known practice code"]


def test_every_problem_in_every_file_is_listed_in_file_and_line_order(base_files):
    files = set_cell(base_files, "staff_survey.csv", 3, "year", "1999")
    files = set_cell(files, "practices.csv", 3, "deep_end", "maybe")
    files = set_cell(files, "participants.csv", 3, "sex", "x")
    files = set_cell(files, "participants.csv", 2, "referred_by", "doctor")
    assert problems(files) == [
        "practices.csv:3: deep_end: must be yes or no",
        "participants.csv:2: referred_by: must be one of: gp, nurse, practice_staff, self, other",
        "participants.csv:3: sex: must be one of: female, male, other, not_known",
        "staff_survey.csv:3: year: must be a whole number from 2000 to 2100",
    ]


def test_no_message_repeats_a_chi_number_name_or_date_of_birth(base_files):
    """Shift a whole row one column along, so personal details land in every other column,
    and check none of them comes back in a message."""
    cells = base_files["participants.csv"].splitlines()[1].split(",")
    shifted = ",".join(["P2001", *cells[:-1]][:15])
    found = problems(replace_line(base_files, "participants.csv", 2, shifted))
    assert found
    text = "\n".join(found)
    for secret in (CHI_MORVEN, "Morven", "Test", "1961-02-24", "G21"):
        assert secret not in text


def test_a_rule_only_the_database_holds_takes_the_whole_import_back_without_its_values(
    base_files, monkeypatch
):
    """Should a check miss a rule the database holds (here, the CHI number's uniqueness,
    with the checks' own findings about CHI numbers dropped), the import stops with a
    problem that names the rule and not the values it refused, and nothing is kept."""
    checked = Planner.fail

    def fail_but_chi(self, spec, row, column, message):
        if column != "chi":
            checked(self, spec, row, column, message)

    monkeypatch.setattr(Planner, "fail", fail_but_chi)
    lines = base_files["participants.csv"].splitlines()
    twin = lines[1].replace("P2001,", "P2003,", 1)
    files = {**base_files, "participants.csv": "\n".join([*lines, twin]) + "\n"}
    result = load(files, user=UserFactory(is_programme_lead=True))

    assert not result.applied
    assert result.problems and "nothing was imported" in result.problems[0]
    assert CHI_MORVEN not in " ".join(result.problems)
    assert not Participant.objects.exists()
