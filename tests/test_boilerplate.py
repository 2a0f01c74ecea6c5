"""Boilerplate and caption detection: every kind on realistic snippets in both input shapes (blank-line
paragraphs, and one block per line with no blank lines), article text that must survive (a mid-article appeal
box, subheadings, "(IDF)" closing a sentence), captions by credit, rules files (per-source, user files,
invalid ones), and the development set held to the quality targets."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from ceasefire_news.text.boilerplate import BOILERPLATE_KINDS, clean_view, load_rules, segment
from ceasefire_news.errors import CeasefireError
from ceasefire_news.text.normalize import normalize

from .conftest import ROOT

A1 = ("Israel and Hamas agreed on Friday to extend the ceasefire in Gaza by two more days, Qatar\u2019s foreign "
      "ministry said in a statement.")
A2 = ("The extension will allow the release of more hostages held in Gaza in exchange for Palestinian prisoners, "
      "officials in Doha said.")
A3 = ("Humanitarian agencies said aid deliveries had increased since the truce began but remained far below what "
      "was needed before winter.")
A4 = "\u201cWe are cautiously hopeful,\u201d a senior Egyptian official told reporters in Cairo on Saturday."
ARTICLE = [A1, A2, A3, A4]
SHAPES = ("paragraphs", "lines")


def make(blocks: list[str], shape: str) -> str:
    """The same content in one of the two input shapes."""
    return ("\n\n" if shape == "paragraphs" else "\n").join(blocks)


def clean(text: str, source: str | None = None, rules=None, model: bool = False):
    """The snippet tests pin the rule cascade's passes (model=False): a page of four paragraphs has no layout for
    the block model to read. The whole pipeline, model included, is held by the seed and set tests below and by
    tests/test_boilerplate_real.py on real pages."""
    text = normalize(text)[0]
    view, det = clean_view(text, source, rules, model)
    return view.body, det


def assert_one_caption_with_credit(caption: str, credit: str, shape: str) -> None:
    """A caption between article paragraphs leaves the article whole and comes out with exactly `credit`."""
    body, det = clean(make([A1, A2, caption, A3, A4], shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)
    assert [c.credit for c in det.captions] == [credit]


def kinds_of(det) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in det.boilerplate:
        out.setdefault(r.kind, []).append(r.text)
    for c in det.captions:
        out.setdefault("caption", []).append(c.text)
    return out


def paragraphs(body: str) -> list[str]:
    """Body paragraphs, each with its inner line breaks folded (a kept block may hold single line breaks)."""
    return [" ".join(p.split("\n")) for p in body.split("\n\n")] if body else []


# ------------------------------------------------------------------------------------------- every kind
KIND_CASES = {
    "newsletter_signup": (2, ["Get our free Middle East Briefing by email and never miss our top stories",
                              "By signing up, you agree to our terms of use and privacy policy"]),
    "subscription_appeal": (4, ["You appreciate our journalism",
                                "Independent reporting costs money. Your support is essential to continue our "
                                "work, so please consider becoming a supporter for as little as $5 a month.",
                                "Thank you,", "The Editors"]),
    "membership_prompt": (4, ["Already a member? Sign in to stop seeing this"]),
    "share_prompt": (1, ["Follow us on Telegram for the latest updates", "Share this article"]),
    "related_links": (2, ["Read more:", "Gaza truce mediators call for restraint after deadly strikes",
                          "Israel says Rafah crossing will open only for people leaving Gaza"]),
    "advertisement": (2, ["Advertisement", "Story continues below advertisement"]),
    "cookie_notice": (0, ["We use cookies to give you the best experience on our website. By continuing to browse "
                          "this site you agree to our use of cookies.", "Accept all cookies"]),
    "navigation": (4, ["About us", "Contact us", "Privacy policy",
                       "\u00a9 2025 Example Media Ltd. All rights reserved."]),
    "author_bio": (4, ["Maya Cohen is a Middle East correspondent for Example News, based in Beirut."]),
    "comments_prompt": (4, ["Comments are closed for this article."]),
    "credit_line": (4, ["Reuters contributed to this report."]),
    "byline": (0, ["By Maya Cohen and Omar Said", "Published: 19 December 2025 14:22 GMT"]),
    "caption": (1, ["Palestinians walk past destroyed buildings in Khan Younis on December 3, 2025. "
                    "(Bashar Taleb/AFP)"]),
}


def test_every_declared_kind_has_a_case():
    assert set(BOILERPLATE_KINDS) | {"caption"} == set(KIND_CASES)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", sorted(KIND_CASES))
def test_each_kind_is_removed_in_both_shapes_and_the_article_survives(kind: str, shape: str):
    at, snippet = KIND_CASES[kind]
    blocks = ARTICLE[:at] + snippet + ARTICLE[at:]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == ARTICLE
    found = kinds_of(det)
    assert kind in found, found
    # the snippet's first block is taken as this kind (later ones may be absorbed with it or classified apart)
    assert any(snippet[0] in t for t in found[kind])


# ------------------------------------------------------------------------------------------- article text survives
@pytest.mark.parametrize("shape", SHAPES)
def test_mid_article_appeal_box_goes_and_the_article_continues(shape: str):
    box = ["Support independent journalism",
           "Our reporting relies on readers like you. Please consider making a one-off contribution today.",
           "Donate now"]
    body, det = clean(make([A1, A2] + box + [A3, A4], shape))
    assert paragraphs(body) == ARTICLE
    assert {r.kind for r in det.boilerplate} == {"subscription_appeal"}


@pytest.mark.parametrize("shape", SHAPES)
def test_terminal_appeal_goes_with_all_its_parts(shape: str):
    appeal = ["\u2026 before you scroll on, one request. Readers everywhere rely on our reporting at no cost, and "
              "we intend to keep it free for all of them.",
              "Back our work with as little as \u00a31. It takes under a minute. Thank you.",
              "Support us", "Remind me in February"]
    body, det = clean(make(ARTICLE + appeal, shape))
    assert paragraphs(body) == ARTICLE


@pytest.mark.parametrize("shape", SHAPES)
def test_subheadings_between_paragraphs_are_kept(shape: str):
    blocks = [A1, "Talks in Cairo", A2, "Why now?", A3, A4]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == blocks and not det.boilerplate


@pytest.mark.parametrize("shape", SHAPES)
def test_short_last_paragraph_and_list_items_after_the_last_long_paragraph_are_kept(shape: str):
    blocks = [A1, A2, "The plan\u2019s next phase includes:", "- the disarmament of Hamas;",
              "- a further Israeli withdrawal;", "None of it has been agreed.", "He did not elaborate."]
    body, _ = clean(make(blocks + ["Topics", "Gaza", "Hamas", "Egypt"], shape))
    assert paragraphs(body) == blocks


@pytest.mark.parametrize("shape", SHAPES)
def test_article_lines_that_start_like_page_furniture_are_kept(shape: str):
    blocks = [A1, "Search teams found three more bodies under the rubble.", "Help is on the way, officials said.",
              "Support for the plan", A2, "Share of the blame is contested.", "More in the coming days.",
              "Related talks on prisoner swaps stalled last month.", "December 2024", A3,
              "Some families asked relatives abroad to donate to pay for an excavator to search the ruins.", A4]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == blocks, kinds_of(det)


OPED = ["We have been here before. In 2014 and again in 2021, a ceasefire was greeted as a turning point, and "
        "within months the same arguments returned.",
        "What is different this time is the scale of the destruction, and the fact that we now know how little a "
        "truce without a plan can deliver.",
        "Our leaders should say plainly what the second phase requires: a force on the ground and money that "
        "arrives.",
        "None of that is easy. But if we keep postponing it, the next war is already being prepared."]


@pytest.mark.parametrize("shape", SHAPES)
def test_opinion_writing_that_says_we_and_our_is_article_text(shape: str):
    title = "The ceasefire will only hold if we stop pretending the hard questions can wait"
    page = ["Opinion", title, "By Daniel Rosen", "December 18, 2025"] + OPED + [
        "Daniel Rosen is a former diplomat and a senior fellow at the Institute for Regional Security.",
        "Read more opinion"]
    body, det = clean(make(page, shape))
    assert paragraphs(body) == [title] + OPED, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_appeal_in_unseen_wording_is_found_by_address_support_and_a_small_sum(shape: str):
    box = ["Readers keep this newsroom going",
           "Reporting like this takes time and money. If you can, support us with €3 or €30 – whatever "
           "you choose helps us keep going.",
           "Thank you for reading"]
    body, det = clean(make([A1, A2] + box + [A3, A4], shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)
    assert {r.kind for r in det.boilerplate} == {"subscription_appeal"}


@pytest.mark.parametrize("sentence", [
    "Troops killed three gunmen who crossed the ceasefire line overnight, said the Israel Defense Forces (IDF).",
    "Ramallah wants a role in postwar Gaza for the Palestinian Authority (PA).",
    "The talks were first reported by the Associated Press (AP).",
])
def test_acronym_closing_an_article_sentence_is_not_a_caption(sentence: str):
    body, det = clean(make([A1, sentence, A2], "paragraphs"))
    assert sentence in body and not det.captions


# ------------------------------------------------------------------------------------------- captions
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("caption, credit", [
    ("Palestinians attend Friday prayers in Gaza City, on December 19, 2025. (AP Photo/Abdel Kareem Hana)",
     "AP Photo/Abdel Kareem Hana"),
    ("A displaced woman carries water at a camp in Tawila on December 10, 2025. - / AFP", "- / AFP"),
    ("Smoke rises after an Israeli strike in southern Lebanon, December 20, 2025. REUTERS/Ali Hashisho",
     "REUTERS/Ali Hashisho"),
    ("Trucks carrying aid wait at the Rafah crossing. Photograph: Amr Nabil/Reuters", "Amr Nabil/Reuters"),
    ("Residents collect water during a power outage.Credit...Finbarr O\u2019Reilly for The New York Times",
     "Finbarr O\u2019Reilly for The New York Times"),
    ("Displaced Palestinians walk through a flooded camp [Tareq Ayyad/Al Jazeera]", "Tareq Ayyad/Al Jazeera"),
    ("Houthi supporters attend a rally in Sanaa. Reuters", "Reuters"),
    ("US troops at the coordination center in Kiryat Gat, October 21, 2025. (Screenshot/X)", "Screenshot/X"),
    ("Jewish worshippers at the Western Wall in Jerusalem. (Flash90)", "Flash90"),
])
def test_caption_recognised_by_its_credit_wherever_it_stands(caption: str, credit: str, shape: str):
    for at in (0, 2, 4):  # before the article, in the middle, at the end
        blocks = ARTICLE[:at] + [caption] + ARTICLE[at:]
        body, det = clean(make(blocks, shape))
        assert paragraphs(body) == ARTICLE, at
        assert [c.credit for c in det.captions] == [credit], at


def test_composite_caption_keeps_every_credit():
    cap = ("L-R: US envoy Steve Witkoff in Berlin on December 15, 2025 (Odd Andersen/AFP); Qatar\u2019s prime "
           "minister in Doha, on May 20, 2025. (Karim Jaafar/AFP); Turkey\u2019s foreign minister in Tehran. "
           "(AP Photo/Vahid Salemi)")
    _, det = clean(make([A1, cap, A2], "paragraphs"))
    [c] = det.captions
    assert [x.credit for x in c.credits] == ["Odd Andersen/AFP", "Karim Jaafar/AFP", "AP Photo/Vahid Salemi"]
    assert [x.photographer for x in c.credits] == ["Odd Andersen", "Karim Jaafar", "Vahid Salemi"]
    assert c.credits[0].agency == "AFP"


@pytest.mark.parametrize("shape", SHAPES)
def test_labelled_caption_borrows_the_credit_line_beside_it(shape: str):
    blocks = [A1, "Image source, EPA\nImage caption, Relatives of detainees protest in Sanaa", A2] \
        if shape == "paragraphs" else [A1, "Image source, EPA", "Image caption, Relatives of detainees protest "
                                                                 "in Sanaa", A2]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == [A1, A2]
    assert det.captions and all(c.credit == "EPA" for c in det.captions)


# ------------------------------------------------------------------------------------------- whole pages
@pytest.mark.parametrize("shape", SHAPES)
def test_whole_page_keeps_headline_and_article_and_drops_menus_bylines_and_footer(shape: str):
    head = ["Skip to main content", "Home", "News", "World", "Middle East", "Sign in",
            "Gaza ceasefire extended by two days as hostage releases continue",
            "By Maya Cohen", "Updated 8:12 AM EST, Fri December 19, 2025", "Share", "Save"]
    foot = ["Related topics", "Gaza", "Hamas", "Qatar", "About us", "Terms of Use", "Privacy Policy",
            "\u00a9 2025 Example Media. All rights reserved."]
    body, det = clean(make(head + ARTICLE + foot, shape))
    assert paragraphs(body) == ["Gaza ceasefire extended by two days as hostage releases continue"] + ARTICLE


def test_repeated_headline_is_kept_once():
    head = ["Home", "News", "Truce talks resume in Cairo after a week-long pause", "AFP",
            "Published on December 16, 2025 11:47 AM", "Truce talks resume in Cairo after a week-long pause"]
    body, _ = clean(make(head + ARTICLE, "lines"))
    assert body.count("Truce talks resume") == 1 and paragraphs(body)[-4:] == ARTICLE


def test_wrapped_paragraph_stays_one_block_but_a_stack_of_lines_is_split():
    wrapped = ("The mediators met in Miami on Friday to discuss the second phase of the\n"
               "ceasefire, which foresees an international force and a technocratic\n"
               "government for the Strip, officials said.")
    body, det = clean(make([A1, wrapped, A2], "paragraphs"))
    assert paragraphs(body) == [A1, " ".join(wrapped.split("\n")), A2]
    stack = "Natasha Okafor\nBBC News, Nairobi\n20 December 2025\nShare"
    body, det = clean(make(["Congo talks resume in Doha after rebels seize new towns", stack] + ARTICLE,
                           "paragraphs"))
    assert paragraphs(body)[1:] == ARTICLE and "Okafor" not in body


def test_seed_keeps_25_paragraphs_and_five_credited_captions():
    text = (ROOT / "corpus" / "000_e39bfd33e101e3f6.txt").read_text(encoding="utf-8")
    body, det = clean(text, "The Times of Israel")
    paras = body.split("\n\n")
    assert len(paras) == 25 and "Turkey\u2019s intelligence chief meets Hamas official" in paras
    assert [len(c.credits) for c in det.captions] == [4, 1, 1, 1, 2]
    assert {"newsletter_signup", "subscription_appeal", "membership_prompt", "credit_line"} == \
        {r.kind for r in det.boilerplate}
    # the paragraphs layer is one block per blank-line paragraph: 25 body, 5 captions, 2 newsletter, 1 credit
    # line, 5 appeal, 3 membership prompts
    assert len(segment(text)) == 25 + 5 + 2 + 1 + 5 + 3


# ------------------------------------------------------------------------------------------- rules files
RULES = """rules_version: "t"
generic:
  - id: partner-content
    kind: advertisement
    patterns: ['^PARTNER CONTENT$']
sources:
  Example Post:
    - id: more-from-example-post
      kind: related_links
      patterns: ['^More from Example Post$']
      starts_run: true
captions:
  agencies: [AFP]
  solo_agencies: [AFP]
  credit_words: [courtesy]
  trailers: ['\\(([^()]{2,90})\\)\\W{0,2}$']
"""


def test_per_source_rules_apply_only_to_their_source(tmp_path: Path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    rules = load_rules(path)
    text = make([A1, A2, "PARTNER CONTENT", A3, "More from Example Post", A4], "paragraphs")
    mine, _ = clean(text, "Example Post", rules)
    other, _ = clean(text, "Other Daily", rules)
    assert "PARTNER CONTENT" not in mine and "PARTNER CONTENT" not in other  # generic: everyone
    assert "More from Example Post" not in mine and "More from Example Post" in other


@pytest.mark.parametrize("content, code", [
    ("rules_version: '1'\ngeneric: [{kind: spam, patterns: [x]}]\ncaptions: {agencies: [], credit_words: [], "
     "trailers: [x]}\n", "rules-schema"),
    ("rules_version: '1'\ngeneric: [{id: unclosed, kind: navigation, patterns: ['(unclosed']}]\ncaptions: {agencies: [], "
     "credit_words: [], trailers: [x]}\n", "rules-regex"),
    ("rules_version: '1'\ngeneric: [\n", "rules-syntax"),
])
def test_invalid_rules_files_are_reported_with_a_code(tmp_path: Path, content: str, code: str):
    path = tmp_path / f"{code}.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CeasefireError) as info:
        load_rules(path)
    assert info.value.problems[0].code == code and info.value.problems[0].file.endswith(f"{code}.yaml")


def test_packaged_rules_validate_and_every_pattern_compiles():
    rules = load_rules()
    assert rules.generic and rules.trailers and rules.agencies


# ------------------------------------------------------------------------------------------- the development set
def _bench():
    spec = importlib.util.spec_from_file_location("boilerplate_quality", ROOT / "bench" / "boilerplate_quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the module runs
    spec.loader.exec_module(module)
    return module


def test_development_set_meets_recall_and_leak_targets():
    bench = _bench()
    if not (bench.DATA / "index.json").exists():
        pytest.skip("no development set")
    systems = {"ours": bench.ours, "ours-generic": bench.SYSTEMS["ours-generic"]}
    result = bench.run(bench.DATA, "bag", systems)
    assert len(result["cases"]) >= 40
    total = result["total"]
    assert total["ours"].recall >= 0.99, total["ours"]
    assert total["ours"].leaked <= 0.02, total["ours"]
    # generic rules alone (every outlet treated as unseen) stay close
    assert total["ours-generic"].recall >= 0.98 and total["ours-generic"].leaked <= 0.04
    # article-only input loses nothing: the gold bodies go through unchanged in both shapes
    for shape, sc in bench.gold_in(bench.DATA).items():
        assert sc.recall >= 0.99, (shape, sc)


# ------------------------------------------------------------------------------------------- generic signals for
# furniture of unseen outlets (categories found on the held-out set; these snippets are written for the tests)
@pytest.mark.parametrize("shape", SHAPES)
def test_media_player_furniture_and_the_players_title_go(shape: str):
    player = ["To watch this clip, enable JavaScript or update your browser", "2:45",
              "Rescuers reach a collapsed school in the old town", "Show caption", "Enlarge this image"]
    body, det = clean(make([A1, A2] + player + [A3, A4], shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_live_blog_time_over_an_entry_title_after_prose_is_not_a_player(shape: str):
    blocks = [A1, A2, "14:05", "Sirens sound again across the north", A3, A4]
    body, det = clean(make(blocks, shape))
    assert "Sirens sound again across the north" in paragraphs(body), kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("label", ["Sponsored links", "Partner content", "As heard on Weekend Radio",
                                   "Permalink", "Back to top"])
def test_ui_labels_of_any_outlet_go(label: str, shape: str):
    body, det = clean(make([A1, A2, label, A3, A4], shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_link_label_goes_with_its_url(shape: str):
    body, det = clean(make([A1, A2, "Short link", "https://example.news/x7q2", A3, A4], shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("caption, credit", [
    ("Image: Fishing boats moored in the harbour at Tyre. Pic: AP", "AP"),
    ("Volunteers sort donated clothes at a depot in Izmir, Oct. 2, 2025. (DHA Photo)", "DHA Photo"),
    ("Firefighters at a warehouse hit by a drone in Odesa, on March 3, 2025. (Odesa Regional Administration / "
     "Telegram)", "Odesa Regional Administration / Telegram"),
])
def test_credit_forms_of_unseen_outlets_make_captions(caption: str, credit: str, shape: str):
    assert_one_caption_with_credit(caption, credit, shape)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("caption", [
    "Archive photo of the port of Hodeidah.",
    "Fishermen repair their nets in the harbour of Gaza City on November 2, 2025.",
    "A displaced woman carries water past a damaged clinic in El Obeid, Sudan, 14 October 2025.",
])
def test_uncredited_captions_are_found_by_their_shape(caption: str, shape: str):
    body, det = clean(make([A1, A2, caption, A3, A4], shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)
    assert [c.text for c in det.captions] == [caption] and det.captions[0].credits == ()


@pytest.mark.parametrize("shape", SHAPES)
def test_dated_one_sentence_paragraphs_in_the_past_or_future_are_article_text(shape: str):
    blocks = [A1, "Israel and Hamas agreed to the first phase of the deal on October 9, 2025.", A2,
              "The next round of talks opens in Cairo on January 12, 2026.",
              "Elections are scheduled for March 3, 2026.", A3,
              "The crossing was closed again on December 1, 2025.", A4]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == blocks, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("line", ["Produced by Lina Haddad and Tom Reyes",
                                  "This story was originally published in French by our partner site.",
                                  "Staff writer Omar Said contributed to this report from Amman."])
def test_production_and_translation_notes_are_credit_lines(line: str, shape: str):
    body, det = clean(make(ARTICLE[:2] + [line] + ARTICLE[2:], shape))
    assert paragraphs(body) == ARTICLE
    assert kinds_of(det).get("credit_line") == [line]


@pytest.mark.parametrize("shape", SHAPES)
def test_sentences_that_start_like_credit_notes_stay(shape: str):
    blocks = [A1, "Written by a former general, the report was never published in full.", A2,
              "Subscribers to the satellite service were told to contact the company for refunds.", A3, A4]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == blocks, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_syndication_notice_that_asks_the_reader_to_get_in_touch_goes(shape: str):
    notice = ("Our wire stories appear here in part only; the full service goes to subscribers. For subscription "
              "details, contact us.")
    body, det = clean(make([A1, A2, notice, A3, A4], shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)


STANDFIRST = ("Negotiators from both sides met for a third day in Doha as mediators pressed for a deal on the "
              "release of detainees.")


@pytest.mark.parametrize("shape", SHAPES)
def test_byline_after_a_standfirst_that_reads_as_prose_goes(shape: str):
    head = ["World", "Prisoner swap talks resume in Doha", STANDFIRST, "Lena Marsh", "14 March 2025"]
    body, det = clean(make(head + ARTICLE, shape))
    assert paragraphs(body) == ["Prisoner swap talks resume in Doha", STANDFIRST] + ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_taglines_and_promoted_stories_above_the_last_menu_go(shape: str):
    head = ["Independent news from the Levant", "Home", "Politics", "Economy",
            "Live updates: Markets slide as oil jumps on Gulf tensions", "Diplomacy",
            "Prisoner swap talks resume in Doha", "By Lena Marsh", "14 March 2025"]
    body, det = clean(make(head + ARTICLE, shape))
    assert paragraphs(body) == ["Prisoner swap talks resume in Doha"] + ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_headline_with_a_large_sum_and_a_dateline_over_the_lead_are_kept(shape: str):
    headline = "Gulf donors pledge $2bn for Gaza reconstruction at Cairo conference"
    lead = "BEIRUT\n" + A1 if shape == "paragraphs" else "BEIRUT"
    blocks = [headline, "By Lena Marsh", lead] + ([A1] if shape == "lines" else []) + ARTICLE[1:]
    body, det = clean(make(blocks, shape))
    assert " ".join(paragraphs(body)) == " ".join([headline, "BEIRUT"] + ARTICLE), kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_related_headlines_without_a_label_go_but_lists_stay(shape: str):
    related = ["Hospitals in the north run short of fuel as winter sets in",
               "Mediators propose a new timetable for the second phase"]
    listed = ["The plan sets out three stages:", "A phased withdrawal of troops from the border towns",
              "The return of displaced families within six weeks", "A joint committee to monitor violations"]
    body, det = clean(make([A1, A2] + related + [A3] + listed + [A4], shape))
    assert paragraphs(body) == [A1, A2, A3] + listed + [A4], kinds_of(det)
    assert all(any(h in t for t in kinds_of(det)["related_links"]) for h in related)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_sign_up_box_takes_its_blurb_and_a_colon_lead_in_goes_with_an_appeal(shape: str):
    box = ["Sign up to Frontline Dispatch", "A twice-weekly digest of reporting from our correspondents.",
           "Subscribe now"]
    appeal = ["A word from the editor:", "Reporting from the front costs money and readers like you pay for it. "
              "If this story helped you, please consider becoming a member."]
    body, det = clean(make([A1, A2] + box + [A3, A4] + appeal, shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_article_sentence_between_a_sign_up_box_and_an_ad_marker_stays(shape: str):
    blocks = [A1, A2, "Sign up to Frontline Dispatch", "The truce took effect at noon local time.",
              "Advertisement", A3, A4]
    body, det = clean(make(blocks, shape))
    assert "The truce took effect at noon local time." in paragraphs(body), kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_reported_speech_that_opens_with_a_call_to_action_verb_is_article_text(shape: str):
    blocks = [A1, "Follow the money, one investigator said, and you find the same three shell companies.", A2,
              "Listen to the families in the camps, aid workers say, and you hear the same story.", A3, A4]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == blocks, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_subheadings_after_a_box_or_a_related_list_are_kept(shape: str):
    box = ["Sign up for our newsletter", "Enter your email", "Sign up"]
    related = ["Read more:", "Hospitals in the north run short of fuel as winter sets in",
               "Mediators propose a new timetable for the second phase"]
    blocks = [A1] + box + ["Open questions", "Diplomats said two issues remain unresolved.", A2] + related + \
        ["The border question", A3, A4]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == [A1, "Open questions", "Diplomats said two issues remain unresolved.", A2,
                                "The border question", A3, A4], kinds_of(det)


# ------------------------------------------------------------------------------------------- the held-out set
HELDOUT = ROOT / "tests" / "data" / "boilerplate_heldout"


def test_held_out_set_stays_at_its_level():
    """The held-out set (pages of outlets the first rules never saw) at the level reached after the rule work
    (no longer blind: its errors were read). Recall >= 0.99, leak <= 0.5%, and its gold bodies fed back in
    lose nothing."""
    bench = _bench()
    if not (HELDOUT / "index.json").exists():
        pytest.skip("no held-out set")
    result = bench.run(HELDOUT, "bag", {"ours": bench.ours})
    total = result["total"]["ours"]
    assert len(result["cases"]) >= 30
    assert total.recall >= 0.99 and total.leaked <= 0.005, total
    for shape, sc in bench.gold_in(HELDOUT).items():
        assert sc.recall >= 0.999, (shape, sc)


# ------------------------------------------------------------------------------------------- structural signals
# (round 2: properties of any page's furniture, not wording; every snippet here is written for the tests)
@pytest.mark.parametrize("shape", SHAPES)
def test_prose_after_the_articles_end_furniture_is_the_page_talking_about_itself(shape: str):
    foot = ["Mira Castell is a foreign correspondent for The Northern Ledger.",
            "The Northern Ledger has reported from the Middle East since 1952 and publishes its journalism in "
            "four languages every day."]
    body, det = clean(make(ARTICLE + foot, shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_live_blogs_time_stamps_do_not_end_the_article(shape: str):
    blocks = [A1, "09:10", A2, "11:45", A3, "16:20", A4]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_end_furniture_followed_by_much_article_text_does_not_end_it(shape: str):
    blocks = [A1, "Share", A2, A3, A4]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("caption, credit", [
    ("Families queue for bread at a bakery in Kassala on Sunday. — AFP", "AFP"),
    ("A convoy crosses the bridge near Rafah in late 2025Image: Omar Haddad/Reuters", "Omar Haddad/Reuters"),
    ("Medics carry a stretcher at a field clinic near Malakal (Photo UNMISS)", "Photo UNMISS"),
    ("Soldiers on patrol near the border. File photo: EPA", "EPA"),
    ("Children play in a school courtyard in Mosul (Ledger photo)", "Ledger photo"),
    ("A nurse weighs a baby at a clinic in Kandahar (Northern Ledger: Sam Ortiz)", "Northern Ledger: Sam Ortiz"),
    ("Delegates arrive at the talks venue in Jeddah, on March 4, 2026. © Saudi Press Agency, via AFP",
     "Saudi Press Agency, via AFP"),
    ("Trucks wait at the crossing in Kerem Shalom. – Screengrab from a news channel",
     "Screengrab from a news channel"),
])
def test_credits_after_a_dash_a_glued_or_lower_case_label_or_a_copyright_sign(caption: str, credit: str,
                                                                               shape: str):
    assert_one_caption_with_credit(caption, credit, shape)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("sentence", [
    "The ceasefire held — for now.",
    "Fighting resumed near the airport on Sunday, residents said — Reuters",
    "The figure came from one source: a senior official at the ministry",
    "© 2026 Northern Ledger",
])
def test_dashes_and_labels_in_article_sentences_are_no_credits(sentence: str, shape: str):
    body, det = clean(make([A1, A2, sentence, A3, A4], shape))
    assert det.captions == [], kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_video_package_goes_with_its_running_time_title_and_blurb(shape: str):
    player = ["VIDEO | Families wait at the crossing:", "Duration 1:54",
              "Relatives in Amman say they have heard nothing for weeks. Dana Kovac reports from Amman."]
    body, det = clean(make([A1, A2] + player + [A3, A4], shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)
    body, det = clean(make([A1, A2, "The clip cannot be played here", "0:00 / 3:21", A3, A4], shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_an_article_paragraph_after_a_player_stays_unless_it_is_a_package_blurb(shape: str):
    said = "Relatives in Amman said they had heard nothing for weeks, according to a local charity."
    body, det = clean(make([A1, A2, "Duration 1:54", said, A3, A4], shape))
    assert said in paragraphs(body), kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("line", ["Loading...", "Please wait…", "Words by: Ana Ruiz", "Video by: LEDGER TV",
                                  "Topics: Ceasefire, Diplomacy and Aid", "4 min reading time",
                                  "Facebook Telegram Email Print Copy",
                                  "Home » World » Middle East » Truce extended by two days",
                                  "ledger.example/world/truce-extended-2026",
                                  "Some material for this story was supplied by news agencies."])
def test_page_furniture_by_its_shape(line: str, shape: str):
    body, det = clean(make([A1, line, A2, A3, A4], shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)
    # a stray byline-like or credit-like line before the last paragraph does not end the article
    body, det = clean(make([A1, A2, A3, line, A4], shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("line", ["Gaza: what comes next", "Follow-up talks are due in March.",
                                  "Then the shelling stopped.", "Talks in Doha"])
def test_subheadings_and_sentences_shaped_like_labels_stay(line: str, shape: str):
    blocks = [A1, A2, line, A3, A4]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == blocks, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_title_case_headline_is_a_headline_and_a_masthead_under_it_no_boundary(shape: str):
    head = ["Home", "World", "Middle East", "Mediators Push For Second Phase Of Gaza Truce", "Northern Ledger",
            "By Ana Ruiz", "March 3, 2026"]
    body, det = clean(make(head + ARTICLE, shape), source="Northern Ledger")
    assert paragraphs(body) == ["Mediators Push For Second Phase Of Gaza Truce"] + ARTICLE, kinds_of(det)


def test_a_name_stack_over_a_date_is_a_byline_and_a_date_ending_a_wrapped_sentence_stays():
    wrapped = ("The agreement between the two delegations was finally signed in the Qatari capital Doha on\n"
               "March 2, 2026.")
    text = "\n\n".join(["Ana Ruiz | Tomas Berg in Beirut\n03/02/2026March 2, 2026", A1, wrapped, A2, A3])
    body, det = clean(text)
    assert paragraphs(body) == [A1, wrapped.replace("\n", " "), A2, A3], kinds_of(det)
    assert "byline" in kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_paywall_lines_above_a_subscription_box_go_with_it(shape: str):
    box = ["This report is for our subscribers only.", "Have an account? Log in",
           "Start your subscription today for $1 a week.", "Subscribe now"]
    if shape == "paragraphs":
        text = "\n\n".join([A1, A2, "\n".join(box), A3, A4])
    else:
        text = make([A1, A2] + box + [A3, A4], shape)
    body, det = clean(text)
    assert paragraphs(body) == ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_related_headlines_under_a_label_after_furniture_go_and_a_subheading_after_a_link_list_stays(shape: str):
    related = ["Skip related section", "More on the truce", "Hospitals in the north run short of fuel",
               "Mediators propose a new timetable for the second phase"]
    tags = ["Gaza", "Israel", "Egypt", "The border question"]
    body, det = clean(make([A1] + related + [A2] + tags + [A3, A4], shape))
    assert paragraphs(body) == [A1, A2, "The border question", A3, A4], kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_the_articles_last_short_sentence_after_a_related_box_stays(shape: str):
    last = "The vigil ended at midnight."
    blocks = ARTICLE + ["Related stories", "Hospitals in the north run short of fuel as winter sets in", last,
                        "About the author", "Ana Ruiz", "Reporter"]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == ARTICLE + [last], kinds_of(det)


# ------------------------------------------------------------------------------------------- the second blind set
BLIND2 = ROOT / "tests" / "data" / "boilerplate_blind2"
BLIND3 = ROOT / "tests" / "data" / "boilerplate_blind3"


def test_second_blind_set_stays_at_its_level():
    """The second blind set after round 2 (no longer blind: its errors were read, though the fixes are
    structural signals tested above on snippets of their own). Recall >= 0.997, leak <= 0.4%, and its gold
    bodies fed back in lose nothing."""
    bench = _bench()
    if not (BLIND2 / "index.json").exists():
        pytest.skip("no second blind set")
    result = bench.run(BLIND2, "bag", {"ours": bench.ours})
    total = result["total"]["ours"]
    assert len(result["cases"]) >= 30
    assert total.recall >= 0.997 and total.leaked <= 0.004, total
    for shape, sc in bench.gold_in(BLIND2).items():
        assert sc.recall >= 0.999, (shape, sc)


def test_third_blind_set_keeps_article_text_and_its_blind_level():
    """The third blind set has never been used to write rules; it guards against regressions on unseen
    outlets: recall >= 0.99 (the issue's target) and leak no worse than its level (3.2% blind with the cascade alone;
    3.75% since the block model, which keeps more of what the layout alone would remove, trading a little of this
    set's precision for recall on real pages)."""
    bench = _bench()
    if not (BLIND3 / "index.json").exists():
        pytest.skip("no third blind set")
    total = bench.run(BLIND3, "bag", {"ours": bench.ours})["total"]["ours"]
    assert total.recall >= 0.99 and total.leaked <= 0.04, total


@pytest.mark.parametrize("shape", SHAPES)
def test_a_long_call_to_action_with_an_object_is_not_prose_but_reported_speech_is(shape: str):
    cta = "Join the Northern Ledger on WhatsApp and be the first to know what is happening across the region."
    said = "Join the march now, organisers told residents in Tyre as the talks resumed in Cairo on Sunday."
    body, det = clean(make([A1, A2, cta, A3, said, A4], shape))
    assert paragraphs(body) == [A1, A2, A3, said, A4], kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("furniture", ["Duration 1:54", "Facebook Telegram Email Print Copy", "Loading..."])
def test_furniture_between_headline_and_standfirst_keeps_both(furniture: str, shape: str):
    headline = "Mediators propose a new timetable for the second phase of the truce"
    standfirst = "Envoys in Cairo hope to close the gaps before the holiday"
    blocks = ["Home", "World", "Middle East", headline, furniture, standfirst] + ARTICLE
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == [headline, standfirst] + ARTICLE, kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_short_subheading_over_a_player_stays(shape: str):
    blocks = [A1, A2, "Border talks", "Duration 1:54", A3, A4]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == [A1, A2, "Border talks", A3, A4], kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_the_last_short_sentence_after_a_player_stays(shape: str):
    last = "Diplomats said the talks could take several days."
    body, det = clean(make(ARTICLE + ["Duration 1:54", last], shape))
    assert paragraphs(body) == ARTICLE + [last], kinds_of(det)


@pytest.mark.parametrize("shape", SHAPES)
def test_comments_header_before_reported_article_text_does_not_end_the_article(shape: str):
    blocks = [A1, A2, A3, "Comments", A4]
    body, det = clean(make(blocks, shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)


# ------------------------------------------------------------------------------ reader comments after the article
SIGNED_COMMENTS = [
    "Dana Levi July 13, 2012 at 8:07 am",
    "I was in Rafah when the last truce collapsed, and nobody there believed it would hold for more than a week.",
    "Omar K. says:",
    "The mediators keep announcing breakthroughs while the people on the ground keep waiting for the trucks.",
    "3",
    "Sami 14:32",
    "Does anyone know whether the crossing at Kerem Shalom reopened on Sunday as the ministry promised?",
]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_thread_of_signed_comments_under_a_comments_header_goes(shape: str):
    body, det = clean(make(ARTICLE + ["3 Comments"] + SIGNED_COMMENTS, shape))
    assert paragraphs(body) == ARTICLE, kinds_of(det)
    thread = [r for r in det.boilerplate if r.rule == "comment-thread"]
    assert thread and all(r.kind == "comments_prompt" for r in thread)
    assert {SIGNED_COMMENTS[1], SIGNED_COMMENTS[3], SIGNED_COMMENTS[6]} <= {r.text for r in thread}


@pytest.mark.parametrize("shape", SHAPES)
def test_a_comment_count_under_the_headline_opens_no_thread(shape: str):
    """'12 Comments' before the article, then time-stamped live-blog entries: the stamps look like signatures,
    but a header only opens a thread after article prose."""
    blocks = ["12 Comments", "14:05", A1, "14:20", A2, "14:32", A3, A4]
    body, det = clean(make(blocks, shape))
    assert [p for p in paragraphs(body) if p in ARTICLE] == ARTICLE, kinds_of(det)
    assert not [r for r in det.boilerplate if r.rule == "comment-thread"]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_sentence_that_invites_comments_is_no_thread_header(shape: str):
    """A long line inviting comments (which the rules may remove as a call to action) opens no thread: what
    follows it is not cut as comments without a short header."""
    invite = ("Leave a comment below telling me what you saw at the crossing after the truce began, "
              "and how long the queues were.")
    body, det = clean(make(ARTICLE + [invite] + SIGNED_COMMENTS, shape))
    assert not [r for r in det.boilerplate if r.rule == "comment-thread"], kinds_of(det)
    assert SIGNED_COMMENTS[1] in paragraphs(body)


def test_one_signed_comment_is_not_a_thread():
    from ceasefire_news.text.boilerplate import comment_thread_start

    T = ARTICLE + ["1 Comment"] + SIGNED_COMMENTS[:2]
    assert comment_thread_start(T, [True] * len(T)) is None
    T = ARTICLE + ["2 Comments"] + SIGNED_COMMENTS[:4]
    assert comment_thread_start(T, [True] * len(T)) == len(ARTICLE)


def test_posts_under_a_comment_count_are_no_thread():
    """A blog page: teasers of other posts, then '4 Comments' over the post itself and more posts, each under its own
    byline ('Written on <date> by <name> in <section>'). Bylines of posts are not signatures of comments."""
    from ceasefire_news.text.boilerplate import comment_thread_start

    post = ["Written on August 9, 2012 by Dana Levi in World", A1, A2,
            "Written on August 8, 2012 by Omar Said in World, Trending", A3,
            "Posted on August 7, 2012 by Sami Haddad", A4]
    T = ARTICLE + ["4 Comments"] + post
    assert comment_thread_start(T, [True] * len(T)) is None


@pytest.mark.parametrize("model", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_a_page_with_one_short_sentence_keeps_it(shape: str, model: bool):
    """No article prose (the sentence is under the prose length) means no page foot: the sentence after a menu
    line is all the article there is, not an island in the foot."""
    sentence = "The truce held overnight, officials in Doha said on Friday."
    body, det = clean(make(["Home", sentence], shape), model=model)
    assert paragraphs(body) == [sentence], kinds_of(det)
