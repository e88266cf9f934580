from datetime import date
from pathlib import Path

import pytest

from bot.plan.spreadsheet import (
    HEADINGS,
    ActionStatus,
    RowProblem,
    SheetPlan,
    SheetRefused,
    read_plan_csv,
    split_owners,
)

DATA = Path(__file__).parents[1] / "data"
HEADER = "Recommendation,Actions,Owner,Delivery Date,Status"
ACCEPTED_STATUSES = (
    "Complete, Completed, Done, Closed, Achieved, Delivered, Green, Blue, In progress, Ongoing, Started, Open, "
    "On track, Amber, At risk, Red, Overdue, Off track, Late, Delayed, Behind, Not started, Not yet started, "
    "Business as usual, BAU, Transferred"
)


def csv_text(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def refusal(text: str) -> SheetRefused:
    with pytest.raises(SheetRefused) as refused:
        read_plan_csv(text)
    return refused.value


def only_problem(text: str) -> RowProblem:
    problems = refusal(text).problems
    assert len(problems) == 1, problems
    return problems[0]


@pytest.fixture(scope="module")
def peer_review() -> SheetPlan:
    return read_plan_csv((DATA / "peer_review_plan.csv").read_text(encoding="utf-8"))


# The peer review plan this product grew out of


def test_peer_review_plan_has_eight_recommendations_with_their_text(peer_review: SheetPlan) -> None:
    assert list(peer_review.recommendations) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert peer_review.recommendations[1] == (
        "Provide further evidence of how the risk-based inspection programme targets the highest-risk premises."
    )
    assert peer_review.recommendations[8] == "Evaluate the effectiveness of each improvement."


def test_peer_review_plan_numbers_actions_within_each_recommendation(peer_review: SheetPlan) -> None:
    assert [(action.row, action.ref) for action in peer_review.actions] == [
        (2, "1.1"), (3, "1.2"), (4, "2.1"), (5, "3.1"), (6, "4.1"),
        (7, "4.2"), (8, "5.1"), (9, "6.1"), (10, "7.1"), (11, "8.1"),
    ]  # fmt: skip


def test_peer_review_plan_blank_recommendation_cells_continue_the_one_above(peer_review: SheetPlan) -> None:
    by_ref = {action.ref: action for action in peer_review.actions}
    assert by_ref["1.2"].recommendation == 1
    assert by_ref["4.2"].recommendation == 4


def test_peer_review_plan_splits_an_owner_with_two_roles(peer_review: SheetPlan) -> None:
    by_ref = {action.ref: action for action in peer_review.actions}
    assert by_ref["1.2"].owners == ("Head of Prevention and Protection", "Corporate Comms")
    assert by_ref["8.1"].owners == ("Head of Prevention and Protection",)


def test_peer_review_plan_reads_the_doubled_slash_slip(peer_review: SheetPlan) -> None:
    by_ref = {action.ref: action for action in peer_review.actions}
    assert by_ref["3.1"].original_due == date(2021, 12, 31)


def test_peer_review_plan_reads_statuses_with_blank_as_not_started(peer_review: SheetPlan) -> None:
    assert [action.status for action in peer_review.actions] == [
        ActionStatus.COMPLETE, ActionStatus.COMPLETE, ActionStatus.IN_PROGRESS, ActionStatus.IN_PROGRESS,
        ActionStatus.NOT_STARTED, ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED,
        ActionStatus.NOT_STARTED, ActionStatus.NOT_STARTED,
    ]  # fmt: skip


def test_peer_review_plan_revised_date_takes_its_reason_from_notes(peer_review: SheetPlan) -> None:
    recruit = next(action for action in peer_review.actions if action.ref == "2.1")
    assert recruit.description == "Recruit two additional fire safety inspectors."
    assert recruit.original_due == date(2021, 10, 31)
    assert recruit.revised_due == date(2022, 3, 31)
    assert recruit.revision_reason == "Recruitment delay: the first round attracted no suitable candidates."
    assert recruit.notes == recruit.revision_reason


def test_peer_review_plan_actions_without_revision_have_no_reason(peer_review: SheetPlan) -> None:
    first = peer_review.actions[0]
    assert first.revised_due is None
    assert first.revision_reason is None
    assert first.notes == "Reviewed and signed off by the Protection Board."
    assert peer_review.actions[1].notes is None


# Refusing a file whole


def test_refuses_a_file_with_bad_rows_naming_every_bad_row() -> None:
    refused = refusal((DATA / "plan_with_bad_rows.csv").read_text(encoding="utf-8"))
    assert refused.problems == [
        RowProblem(3, 'Delivery Date "31/02/2021" is not a date: February has no day 31.'),
        RowProblem(5, 'Owner is blank; give at least one role, like "Head of Protection".'),
    ]
    assert str(refused) == (
        'row 3: Delivery Date "31/02/2021" is not a date: February has no day 31.\n'
        'row 5: Owner is blank; give at least one role, like "Head of Protection".'
    )


def test_refuses_an_impossible_delivery_date() -> None:
    problem = only_problem(
        csv_text(HEADER, "1) Evidence,Review the programme,Head of Protection,30/02/2022,")
    )
    assert problem == RowProblem(2, 'Delivery Date "30/02/2022" is not a date: February has no day 30.')


def test_refuses_an_unreadable_date_naming_the_column_as_the_file_writes_it() -> None:
    text = csv_text(
        "Recommendation,Action,Owner,due date", "1,Review the programme,Head of Protection,next week"
    )
    problem = only_problem(text)
    assert problem.message == 'due date "next week" is not a date I understand; write it like 31/12/2026.'


def test_refuses_a_blank_delivery_date() -> None:
    problem = only_problem(csv_text(HEADER, "1) Evidence,Review the programme,Head of Protection,,"))
    assert problem == RowProblem(2, "Delivery Date is blank.")


def test_refuses_a_missing_action() -> None:
    problem = only_problem(csv_text(HEADER, "1) Evidence,,Head of Protection,31/07/2021,"))
    assert problem == RowProblem(2, "Actions is blank; describe the action.")


def test_refuses_a_missing_owner() -> None:
    problem = only_problem(csv_text(HEADER, "1) Evidence,Review the programme,  ,31/07/2021,"))
    assert problem == RowProblem(2, 'Owner is blank; give at least one role, like "Head of Protection".')


def test_refuses_an_owner_of_separators_only() -> None:
    problem = only_problem(csv_text(HEADER, "1) Evidence,Review the programme, / ,31/07/2021,"))
    assert problem.message.startswith("Owner is blank")


def test_refuses_an_unknown_status_listing_the_words_it_knows() -> None:
    problem = only_problem(
        csv_text(HEADER, "1) Evidence,Review the programme,Head of Protection,31/07/2021,Pending")
    )
    assert problem == RowProblem(
        2,
        f'Status "Pending" is not one I know; use one of: {ACCEPTED_STATUSES}, or leave it blank.',
    )


def test_refuses_a_duplicate_ref_naming_the_earlier_row() -> None:
    text = csv_text(
        "Recommendation,Ref,Actions,Owner,Delivery Date",
        "1) Evidence,1.1,Review the programme,Head of Protection,31/07/2021",
        ",1.2,Publish the programme,Corporate Comms,30/09/2021",
        "2) Workforce,1.1,Recruit inspectors,Head of Protection,31/10/2021",
    )
    assert only_problem(text) == RowProblem(
        4, 'Ref "1.1" is already used on row 2; give each action its own Ref.'
    )


def test_refuses_a_generated_ref_that_repeats_a_given_one() -> None:
    text = csv_text(
        "Recommendation,Ref,Actions,Owner,Delivery Date",
        "1) Evidence,1.2,Review the programme,Head of Protection,31/07/2021",
        ",,Publish the programme,Corporate Comms,30/09/2021",
    )
    assert only_problem(text) == RowProblem(
        3, 'Ref "1.2" is already used on row 2; give each action its own Ref.'
    )


def test_refuses_a_ref_with_a_space_in_it() -> None:
    text = csv_text(
        "Recommendation,Ref,Actions,Owner,Delivery Date",
        "1) Evidence,1 1,Review the programme,Head of Protection,31/07/2021",
    )
    assert only_problem(text) == RowProblem(2, 'Ref "1 1" has a space in it; use a short reference like 4.1.')


def test_refuses_a_revised_date_without_a_reason() -> None:
    text = csv_text(
        "Recommendation,Actions,Owner,Delivery Date,Revised Date,Reason,Notes",
        "1) Evidence,Review the programme,Head of Protection,31/07/2021,30/09/2021,,",
    )
    assert only_problem(text) == RowProblem(
        2, 'Revised Date "30/09/2021" needs a reason; write it in Reason.'
    )


def test_revised_date_without_reason_or_notes_columns_asks_for_a_reason_column() -> None:
    text = csv_text(
        "Recommendation,Actions,Owner,Delivery Date,Revised Date",
        "1) Evidence,Review the programme,Head of Protection,31/07/2021,30/09/2021",
    )
    assert only_problem(text).message == (
        'Revised Date "30/09/2021" needs a reason; add a Reason column and write it there.'
    )


def test_refuses_an_impossible_revised_date() -> None:
    text = csv_text(
        "Recommendation,Actions,Owner,Delivery Date,Revised Date,Reason",
        "1) Evidence,Review the programme,Head of Protection,31/07/2021,31/09/2021,Recruitment delay",
    )
    assert only_problem(text) == RowProblem(
        2, 'Revised Date "31/09/2021" is not a date: September has no day 31.'
    )


def test_refuses_a_missing_heading_listing_the_headings_found() -> None:
    text = csv_text("Recommendation,Actions,Delivery Date,Status", "1) Evidence,Review,31/07/2021,")
    assert only_problem(text) == RowProblem(
        1, 'Missing heading "Owner"; the headings found are: Recommendation, Actions, Delivery Date, Status.'
    )


def test_refuses_several_missing_headings_in_one_problem() -> None:
    text = csv_text("Recommendation,Action Plan,Who,When", "1) Evidence,Review,Head of Protection,31/07/2021")
    assert only_problem(text) == RowProblem(
        1,
        'Missing headings "Actions" and "Owner" and "Delivery Date"; '
        "the headings found are: Recommendation, Action Plan, Who, When.",
    )


def test_refuses_a_heading_given_twice_under_different_names() -> None:
    text = csv_text("Recommendation,Actions,Owner,Action Owner,Delivery Date", "1,Review,A,B,31/07/2021")
    assert only_problem(text) == RowProblem(
        1, 'The heading "Action Owner" means the same as "Owner"; keep only one.'
    )


def test_refuses_an_empty_file() -> None:
    assert only_problem("\n , ,\n") == RowProblem(
        1,
        "The file is empty; the first row must be the headings: Recommendation, Actions, Owner, Delivery Date.",
    )


def test_refuses_a_file_of_headings_only() -> None:
    assert only_problem(csv_text(HEADER, ",,,,")) == RowProblem(1, "There are no actions below the headings.")


def test_collects_every_problem_in_the_file_several_per_row_in_row_order() -> None:
    text = csv_text(
        HEADER,
        "1) Evidence,Review the programme,Head of Protection,31/07/2021,Complete",
        "1) Evidence,,,32/07/2021,Maybe",
        ",Publish the programme,Corporate Comms,30/09/2021,Done",
        ",Publish again,Corporate Comms,31/02/2022,",
    )
    refused = refusal(text)
    assert [problem.row for problem in refused.problems] == [3, 3, 3, 3, 5]
    assert str(refused).splitlines() == [
        "row 3: Actions is blank; describe the action.",
        'row 3: Owner is blank; give at least one role, like "Head of Protection".',
        'row 3: Delivery Date "32/07/2021" is not a date: July has no day 32.',
        f'row 3: Status "Maybe" is not one I know; use one of: {ACCEPTED_STATUSES}, or leave it blank.',
        'row 5: Delivery Date "31/02/2022" is not a date: February has no day 31.',
    ]


def test_a_sheet_refused_is_a_value_error() -> None:
    assert issubclass(SheetRefused, ValueError)


# Recommendations


@pytest.mark.parametrize(
    ("cell", "number", "text"),
    [
        ("1) Provide further evidence", 1, "Provide further evidence"),
        ("1. Provide further evidence", 1, "Provide further evidence"),
        ("Recommendation 1: Provide further evidence", 1, "Provide further evidence"),
        ("recommendation 12 - Provide further evidence", 12, "Provide further evidence"),
        ("1 Provide further evidence", 1, "Provide further evidence"),
        ("1", 1, ""),
        ("  7)  ", 7, ""),
    ],
)
def test_takes_the_recommendation_number_and_keeps_its_text(cell: str, number: int, text: str) -> None:
    plan = read_plan_csv(csv_text(HEADER, f'"{cell}",Review,Head of Protection,31/07/2021,'))
    assert plan.recommendations == {number: text}
    assert plan.actions[0].recommendation == number
    assert plan.actions[0].ref == f"{number}.1"


def test_refuses_a_blank_recommendation_on_the_first_data_row() -> None:
    text = csv_text(
        HEADER,
        ",Review the programme,Head of Protection,31/07/2021,",
        ",Publish the programme,Corporate Comms,30/09/2021,",
    )
    assert only_problem(text) == RowProblem(
        2, "Recommendation is blank and there is no recommendation above it to continue."
    )


def test_recommendations_printed_without_numbers_are_numbered_in_file_order_with_a_note() -> None:
    text = csv_text(
        HEADER,
        "Provide further evidence,Review the programme,Head of Protection,31/07/2021,",
        ",Publish it,Head of Protection,31/08/2021,",
        "Clarify out of hours cover,Rebalance the rota,Head of Ops Policy,31/07/2021,",
        "Provide further evidence,Brief the board,Head of Protection,30/09/2021,",
    )
    plan = read_plan_csv(text)
    assert plan.recommendations == {1: "Provide further evidence", 2: "Clarify out of hours cover"}
    assert [(a.ref, a.recommendation) for a in plan.actions] == [("1.1", 1), ("1.2", 1), ("2.1", 2), ("1.3", 1)]
    assert plan.warnings == [RowProblem(
        2, "Recommendation gives no numbers for 2 recommendations, so they were numbered in file order: 1 and 2.")]


def test_refuses_the_same_recommendation_number_with_different_text() -> None:
    text = csv_text(
        HEADER,
        "1) Provide further evidence,Review the programme,Head of Protection,31/07/2021,",
        "2) Develop a workforce plan,Recruit inspectors,Head of Protection,31/10/2021,",
        "1) Improve audits,Sample audits,Protection Manager,31/12/2021,",
    )
    assert only_problem(text) == RowProblem(
        4, "Recommendation 1 is given here with different text from row 2."
    )


def test_accepts_the_same_recommendation_again_with_the_same_text_or_only_its_number() -> None:
    text = csv_text(
        HEADER,
        "1) Provide further evidence,Review the programme,Head of Protection,31/07/2021,",
        "1) Provide  further evidence,Publish the programme,Corporate Comms,30/09/2021,",
        "1,Brief the crews,Area Manager Operations,31/10/2021,",
    )
    plan = read_plan_csv(text)
    assert plan.recommendations == {1: "Provide further evidence"}
    assert [action.ref for action in plan.actions] == ["1.1", "1.2", "1.3"]


def test_later_text_fills_in_a_recommendation_first_given_only_by_number() -> None:
    text = csv_text(
        HEADER,
        "1,Review the programme,Head of Protection,31/07/2021,",
        "1) Provide further evidence,Publish the programme,Corporate Comms,30/09/2021,",
    )
    assert read_plan_csv(text).recommendations == {1: "Provide further evidence"}


def test_a_row_with_only_a_recommendation_introduces_the_actions_below_it() -> None:
    text = csv_text(
        HEADER,
        "1) Provide further evidence,,,,",
        ",Review the programme,Head of Protection,31/07/2021,",
        ",Publish the programme,Corporate Comms,30/09/2021,",
    )
    plan = read_plan_csv(text)
    assert plan.recommendations == {1: "Provide further evidence"}
    assert [(action.row, action.ref) for action in plan.actions] == [(3, "1.1"), (4, "1.2")]


# Owners


@pytest.mark.parametrize(
    ("cell", "owners"),
    [
        (
            "Head of Prevention and Protection / Corporate Comms",
            ("Head of Prevention and Protection", "Corporate Comms"),
        ),
        ("Head of Protection;Corporate Comms", ("Head of Protection", "Corporate Comms")),
        ("Head of Protection\nCorporate Comms", ("Head of Protection", "Corporate Comms")),
        ("Head of Protection\r\n\r\nCorporate Comms", ("Head of Protection", "Corporate Comms")),
        ("  Head of   Protection  ", ("Head of Protection",)),
        (
            "Head of Protection / head of protection / Corporate Comms",
            ("Head of Protection", "Corporate Comms"),
        ),
        ("Prevention and Protection", ("Prevention and Protection",)),
        (" / ", ()),
    ],
)
def test_splits_owner_roles_on_slashes_semicolons_and_new_lines_only(
    cell: str, owners: tuple[str, ...]
) -> None:
    assert split_owners(cell) == owners


def test_reads_an_owner_cell_written_on_two_lines() -> None:
    text = csv_text(HEADER, '1,Review the programme,"Head of Protection\nCorporate Comms",31/07/2021,')
    assert read_plan_csv(text).actions[0].owners == ("Head of Protection", "Corporate Comms")


def test_row_numbers_count_a_cell_written_on_two_lines_as_one_row() -> None:
    text = csv_text(
        HEADER,
        '1,Review the programme,"Head of Protection\nCorporate Comms",31/07/2021,',
        ",Publish the programme,,30/09/2021,",
    )
    assert only_problem(text).row == 3


# Statuses


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("Complete", ActionStatus.COMPLETE),
        ("completed", ActionStatus.COMPLETE),
        ("DONE", ActionStatus.COMPLETE),
        ("Closed", ActionStatus.COMPLETE),
        ("Green", ActionStatus.COMPLETE),
        ("In progress", ActionStatus.IN_PROGRESS),
        ("In-progress", ActionStatus.IN_PROGRESS),
        ("in  Progress ", ActionStatus.IN_PROGRESS),
        ("On track", ActionStatus.IN_PROGRESS),
        ("Ongoing", ActionStatus.IN_PROGRESS),
        ("Started", ActionStatus.IN_PROGRESS),
        ("Amber", ActionStatus.IN_PROGRESS),
        ("Red", ActionStatus.IN_PROGRESS),
        ("", ActionStatus.NOT_STARTED),
        ("  ", ActionStatus.NOT_STARTED),
        ("Not started", ActionStatus.NOT_STARTED),
        ("Not yet started", ActionStatus.NOT_STARTED),
    ],
)
def test_reads_status_words(cell: str, status: ActionStatus) -> None:
    plan = read_plan_csv(csv_text(HEADER, f"1,Review the programme,Head of Protection,31/07/2021,{cell}"))
    assert plan.actions[0].status is status


def test_a_missing_status_column_means_not_started() -> None:
    plan = read_plan_csv(
        csv_text("Recommendation,Actions,Owner,Delivery Date", "1,Review,Head of Protection,31/07/2021")
    )
    assert plan.actions[0].status is ActionStatus.NOT_STARTED


def test_action_status_values_are_stable_strings() -> None:
    assert [status.value for status in ActionStatus] == ["not_started", "in_progress", "complete", "bau"]


# Headings and file shape


def test_headings_are_case_insensitive_whitespace_tolerant_and_accept_aliases() -> None:
    text = csv_text(
        "  RECOMMENDATION , action ,Action  Owner,due date,STATUS,Revision Reason,revised date,notes",
        "1,Review the programme,Head of Protection,31/07/2021,Done,Recruitment delay,30/09/2021,Signed off",
    )
    action = read_plan_csv(text).actions[0]
    assert action.description == "Review the programme"
    assert action.owners == ("Head of Protection",)
    assert action.original_due == date(2021, 7, 31)
    assert action.revised_due == date(2021, 9, 30)
    assert action.revision_reason == "Recruitment delay"
    assert action.notes == "Signed off"
    assert action.status is ActionStatus.COMPLETE


@pytest.mark.parametrize("owner_heading", ["Owner", "Owners", "Action Owner"])
def test_accepts_each_owner_heading(owner_heading: str) -> None:
    text = csv_text(
        f"Recommendation,Actions,{owner_heading},Delivery Date", "1,Review,Head of Protection,31/07/2021"
    )
    assert read_plan_csv(text).actions[0].owners == ("Head of Protection",)


@pytest.mark.parametrize("reason_heading", ["Reason", "Revision Reason", "Latest Reason"])
def test_a_reason_column_is_preferred_to_notes(reason_heading: str) -> None:
    text = csv_text(
        f"Recommendation,Actions,Owner,Delivery Date,Revised Date,{reason_heading},Notes",
        "1,Review,Head of Protection,31/07/2021,30/09/2021,Recruitment delay,Chased HR",
    )
    action = read_plan_csv(text).actions[0]
    assert action.revision_reason == "Recruitment delay"
    assert action.notes == "Chased HR"


def test_an_unknown_column_is_ignored_with_a_warning_and_a_rag_column_is_read_but_not_obeyed() -> None:
    text = csv_text(
        "Recommendation,Actions,Owner,Delivery Date,Status,RAG,Board Comment",
        "1,Review,Head of Protection,31/07/2021,,Green,Looks good",
    )
    plan = read_plan_csv(text)
    action = plan.actions[0]
    assert action.status is ActionStatus.NOT_STARTED  # the Status column says so; RAG is only compared
    assert (action.typed_rag.column, action.typed_rag.word) == ("RAG", "Green")
    assert plan.warnings == [RowProblem(1, 'The column "Board Comment" is not one planbot reads, so it was ignored.')]


def test_uses_a_ref_column_when_given() -> None:
    text = csv_text(
        "Ref,Recommendation,Actions,Owner,Delivery Date",
        "4.1a,4) Engagement,Hold an event,Corporate Comms,31/01/2022",
        ",,Send a newsletter,Corporate Comms,28/02/2022",
    )
    assert [action.ref for action in read_plan_csv(text).actions] == ["4.1a", "4.2"]


def test_skips_fully_blank_rows_and_keeps_spreadsheet_row_numbers() -> None:
    text = csv_text(
        HEADER,
        "1,Review the programme,Head of Protection,31/07/2021,",
        ",,,,",
        "",
        "  ,  ,,,",
        ",Publish the programme,Corporate Comms,30/09/2021,",
    )
    plan = read_plan_csv(text)
    assert [(action.row, action.ref, action.recommendation) for action in plan.actions] == [
        (2, "1.1", 1),
        (6, "1.2", 1),
    ]


def test_skips_rows_with_something_only_in_ignored_columns() -> None:
    text = csv_text(
        "Recommendation,Actions,Owner,Delivery Date,RAG",
        "1,Review the programme,Head of Protection,31/07/2021,Amber",
        ",,,,Amber",
    )
    assert len(read_plan_csv(text).actions) == 1


def test_reads_a_file_with_a_utf8_byte_order_mark() -> None:
    text = "\ufeff" + csv_text(HEADER, "1,Review the programme,Head of Protection,31/07/2021,Complete")
    assert read_plan_csv(text).actions[0].status is ActionStatus.COMPLETE


def test_reads_a_semicolon_separated_file_from_excel() -> None:
    text = csv_text(
        "Recommendation;Actions;Owner;Delivery Date;Status",
        '"1) Evidence, with a comma";Review the programme;Head of Prevention and Protection / Corporate Comms;'
        "31/07/2021;Done",
    )
    plan = read_plan_csv(text)
    assert plan.recommendations == {1: "Evidence, with a comma"}
    assert plan.actions[0].owners == ("Head of Prevention and Protection", "Corporate Comms")


def test_reads_a_comma_separated_file_whose_cells_contain_semicolons() -> None:
    text = csv_text(HEADER, '1,Review the programme,"Head of Protection; Corporate Comms",31/07/2021,')
    assert read_plan_csv(text).actions[0].owners == ("Head of Protection", "Corporate Comms")


def test_reads_windows_line_endings() -> None:
    text = HEADER + "\r\n" + "1,Review the programme,Head of Protection,31/07/2021,\r\n"
    assert read_plan_csv(text).actions[0].row == 2


def test_skips_a_title_row_above_the_headings() -> None:
    text = csv_text(
        "Protection Peer Review: Action Plan,,,,",
        HEADER,
        "1,Review the programme,Head of Protection,31/07/2021,",
        ",Publish the programme,,30/09/2021,",
    )
    assert only_problem(text) == RowProblem(
        4, 'Owner is blank; give at least one role, like "Head of Protection".'
    )


def test_canonical_headings_are_read_back() -> None:
    text = csv_text(
        ",".join(HEADINGS),
        "1) Evidence,1.1,Review,Head of Protection,31/07/2021,30/09/2021,Recruitment delay,In progress,Chased HR",
    )
    action = read_plan_csv(text).actions[0]
    assert (action.ref, action.revised_due, action.revision_reason, action.notes) == (
        "1.1",
        date(2021, 9, 30),
        "Recruitment delay",
        "Chased HR",
    )
