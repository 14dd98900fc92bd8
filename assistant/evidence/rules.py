"""Precise, explainable rules for evidence in one sentence.

Each rule returns a confidence in [0, 1] per evidence type and a small set of named features the
classifier also sees. Rules are written for how NHS teams phrase results, not for any one dataset:
figures with units, percentages, money, before/after and target comparisons, attributed quotes,
involvement verbs next to the people involved, and tense (future plans are never spread).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.taxonomy import EvidenceType


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
WORD_NUMBER = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|thousand|dozen|a third|a quarter|a fifth|a half|two thirds|three quarters)"
)
FRACTION_WORDS = _rx(
    r"\b(?:halved|doubled|tripled|trebled|quadrupled|a third|two[- ]thirds|a quarter|three[- ]quarters|"
    r"a fifth|half of|one in (?:two|three|four|five|six|seven|eight|ten|\d+)|\d+ in \d+|"
    r"(?:two|three|four|five|ten)fold|x\d|\d+x|zero|no (?:further|more|new) (?:incidents|falls|cases|deaths|"
    r"complaints|breaches|never events))\b"
)
PERCENT = _rx(rf"{NUMBER}\s?(?:%|per ?cent|percentage points?|pp\b)")
MONEY = _rx(
    rf"(?:£|\$|€)\s?{NUMBER}\s?(?:k|m|bn|million|billion|thousand)?\b|\b{NUMBER}\s?(?:k|m)\b(?= (?:a|per|in|of|saving|savings|cost))"
)
YEAR = re.compile(r"\b(?:19|20)\d{2}(?:/\d{2,4})?\b")
DATE_WORDS = _rx(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|q[1-4])\b"
)
COUNT_UNIT = _rx(
    rf"\b{NUMBER}\s*(?:\+\s*)?(?:more |fewer |additional |extra |new |fewer than |over |under )?"
    r"(?:patients|people|referrals|admissions|attendances|appointments|visits|calls|staff|clinicians|"
    r"nurses|users|residents|incidents|falls|errors|cases|episodes|days|hours|minutes|mins|weeks|months|"
    r"bed ?days|beds|tests|samples|scans|reports|prescriptions|items|contacts|conveyances|readmissions|"
    r"discharges|deaths|infections|complaints|breaches|procedures|operations|sessions|downloads|"
    r"practices|sites|wards|trusts|hospitals|homes|pathways|wte|fte|posts|vacancies|shifts|journeys|"
    r"miles|km|kg|tonnes|points)\b"
)
WORD_COUNT_UNIT = _rx(
    rf"\b{WORD_NUMBER}\s+(?:more |fewer |additional |extra )?(?:patients|people|referrals|admissions|"
    r"days|hours|weeks|months|incidents|falls|beds|sites|wards|trusts|practices|staff|posts)\b"
)
NOT_RESULT_NUMBER = _rx(
    r"\b(?:aged|age|ages|over-|under-)\s?\d+|\b\d+\s?(?:-| )?(?:year|yr)s?[- ]olds?\b|\bteam of \d+|\b\d+-strong\b|"
    r"\bward \d+\b|\bband \d\b|\bphase \d\b|\bcohort \d\b|\bnhs (?:number|no)\b|\b\d{3} ?\d{3} ?\d{4}\b|"
    r"\b(?:grant|funding|bid|award(?:ed)?|invest(?:ed|ment)|budget|allocation|won) of (?:£|\$)|"
    r"\b(?:received|secured|awarded|won|granted|allocated|invested)\s+(?:a |an )?(?:£|\$)"
)
RESULT_VERB = _rx(
    r"\b(?:reduc\w*|fell|fallen|fall|drop\w*|decreas\w*|lower\w*|cut|increas\w*|rose|risen|rise|grew|"
    r"grown|improv\w*|achiev\w*|deliver\w*|reach\w*|saw|seen|see|treated|supported|avoided|prevented|"
    r"halved|doubled|resulted|meant|saving|saved|released|freed|completed|recorded|now|down|up|"
    r"shorter|faster|fewer|more|less|higher|lower|better|met|exceed\w*|sustain\w*|maintain\w*|remain\w*|"
    r"stands? at|was|were|went|has been|have been|is|are|rated|reported|said|scored|showed|shows|"
    r"attended|received|accessed|used|took|taken|trained|screened|identified|enrolled|referred)\b"
)

BASELINE = _rx(
    r"\bfrom (?:a |an |the )?(?:baseline |median |mean |average |rate |high |peak |level )?(?:of )?"
    rf"(?:£|\$)?{NUMBER}.{{0,40}}?\b(?:to|down to|up to|→|->)\s?(?:£|\$|a |an |just )?(?:{NUMBER}|{WORD_NUMBER}|zero|none)|"
    r"→|->|\bcompared (?:with|to)\b|\bcomparison\b|\b(?:against|versus|vs\.?) (?:a |the |our )?(?:target|baseline|"
    r"national|regional|peer|benchmark|standard|average|trajectory|plan|previous|control|pre-)|"
    r"\btarget(?:s|ed)? (?:of|was|is|to)\b|\b(?:against|versus|vs\.?) (?:the )?\d|\bbaseline\b|\bbenchmark\w*\b|"
    r"\b(?:than|on|over|since) (?:the )?(?:last|previous|prior|preceding|same) (?:year|month|quarter|period|winter|financial)|"
    r"\b(?:year|month|quarter)[- ]on[- ](?:year|month|quarter)\b|\bpre-?(?:pandemic|covid|project|intervention|implementation)\b|"
    r"\bbefore (?:the |this |our )?(?:project|pilot|change|intervention|service|launch|programme|introduction|scheme)|"
    r"\b(?:national|regional|england|ics|system|peer) (?:average|median|mean|rate|benchmark|figure|standard)\b|"
    r"\bcontrol (?:group|wards?|sites?|practices?)\b|\b(?:up|down) from\b|\bpreviously\b|\bprior to\b|"
    r"\b(?:historic(?:al)?ly|previous(?:ly)?|used to|had been|at the start|at the outset|at launch)\b|"
    r"\bin (?:19|20)\d{2}(?:/\d{2})?,? (?:compared|versus|against)|\bthe (?:standard|ambition|aim|goal) (?:is|was|of)\b|"
    r"\b(?:constitutional|national) standard\b|\btrajectory\b|\b(?:only|just) \d+% .{0,60}\b(?:were|was|had|met)\b"
)

QUOTE = re.compile(
    r"(?:^|(?<=[\s(:,—–-]))[\"“‘'](?P<q>[^\"“”]{12,}?)[\"”’'](?=[\s,.;:!?)—–-]|$)|"
    r"(?:^|(?<=[\s(:]))[\"“](?P<open>[^\"“”]{12,})$"
)
DASH_ATTRIBUTION = re.compile(r"[\"”’']\s*[–—-]\s*(?:\w+\s+){0,6}\w+")
_SPEECH_WORD = re.compile(
    r"\b(?:i|i'm|i’m|i've|i’ve|me|my|we|we're|we’re|us|our|you|your|it|it's|it’s|was|is|felt|feel)\b", re.I
)
ATTRIBUTION = _rx(
    r"\b(?:said|says|told|tells|commented|comments|wrote|writes|described|describes|explained|explains|"
    r"reflected|reflects|shared|shares|added|adds|noted|notes|fed back|feedback|remarked|put it|stated|"
    r"reported|reports|according to|in (?:their|her|his) words|quote[ds]?|testimon\w*)\b|[–—-]\s?[A-Z][a-z]+"
)
SPEAKER = _rx(
    r"\b(?:patients?|carers?|relatives?|famil(?:y|ies)|parents?|mums?|mothers?|dads?|fathers?|sons?|daughters?|"
    r"residents?|service users?|users?|people|staff|nurses?|sisters?|matrons?|doctors?|gps?|consultants?|"
    r"registrars?|paramedics?|pharmacists?|therapists?|midwi(?:fe|ves)|managers?|directors?|colleagues?|"
    r"team members?|clinicians?|partners?|commissioners?|volunteers?|students?|hcas?|healthcare assistants?|"
    r"receptionists?|porters?|chief executives?|ceo|lead|one|a \w+ (?:who|with))\b"
)
REPORTED_SPEECH_VERB = _rx(
    r"\b(?:told us|tell us|have told us|has told us|said (?:that|they|it|the|how|she|he|their|her|his)|"
    r"says? (?:that|they|it|the)|described (?:it|the|how|feeling|themselves)|(?:have |has )?reported (?:that|feeling|"
    r"a (?:big|real|huge|marked|noticeable)|feeling)|fed back|commented (?:that|on how)|put it (?:this way|like this)|"
    r"in (?:their|her|his) own words|wrote (?:that|to us)|let us know|shared (?:that|how))\b"
)
REPORTED_SPEECH = _rx(
    r"\b(?:patients?|carers?|relatives?|families|parents?|residents?|service users?|staff|nurses?|"
    r"colleagues?|clinicians?|gps?|partners?|users?|people|one \w+|a \w+)\s+(?:\w+\s+){0,3}?(?:told us|said|"
    r"say|says|described|reported feeling|report feeling|tell us|fed back|commented|wrote|reflected|"
    r"explained|have said|have told us|have described|consistently said|frequently said)\b|"
    r"\bfeedback (?:from|included|has been|was|highlighted|described|showed that (?:patients|staff) (?:felt|valued))\b|"
    r"\bin (?:their|her|his) own words\b|\bone (?:patient|carer|parent|relative|mother|father|resident|nurse|gp|"
    r"consultant|manager|service user|member of staff|daughter|son)\b.{0,80}\b(?:said|wrote|told|described|commented)\b"
)
JUDGES = _rx(r"\b(?:judges?|judging panel|assessors?|the panel|shortlisting panel)\b")

# Reported feedback, the way real write-ups and case studies give it: an identifiable group and what
# it felt, said or raised, with no quotation marks ("some staff reported that they did not feel
# confident", "GPs were raising concerns that…", "people told us the service was safe"). LABELLING.md
# §4.3 and §4.11 count these as testimonials. Detection applies it after the classifier, like the
# quotation rule, because the classifier rarely saw such sentences labelled in the bank.
_FEEDBACK_GROUP = (
    r"(?:patients?|service users?|users|carers?|famil(?:y|ies)|parents?|relatives?|residents?|young people|children|"
    r"women|mothers|fathers|people|individuals|participants|respondents|interviewees|staff|colleagues|clinicians|"
    r"nurses|doctors|gps|midwives|paramedics|pharmacists|team members|practitioners|volunteers|students|trainees|"
    r"advisers|advisors|crews)"
)
_FEEDBACK_VERB = (
    r"(?:felt|feel|noted|highlighted|raised concerns?|were raising concerns|spoke (?:highly|positively|well|of)|"
    r"were (?:very |mostly |overwhelmingly |largely |generally )?(?:positive|pleased|happy|satisfied|complimentary|"
    r"enthusiastic|appreciative|unhappy|frustrated|concerned|worried)|described|valued|appreciated|welcomed|praised|"
    r"reported (?:that|feeling|being|a |an |how|they|improved|better|less|more|fewer|shorter)|report (?:that|feeling|"
    r"being|how)|said|say|says|told us|told|tell us|commented|expressed|found (?:it|the|that)|mentioned|explained)"
)
REPORTED_FEEDBACK = _rx(
    # "for staff to feel", "how patients felt", "whether people say" ask about feedback rather than report it.
    r"(?<!\bfor )(?<!\bhow )(?<!\bwhere )(?<!\bwhether )\b(?:some |many |most |all |several |other |our |the |local |"
    rf"these |those |both )?{_FEEDBACK_GROUP}\b(?:\s+(?!to\b|will\b|would\b|may\b|can\b|could\b|should\b|must\b)"
    rf"[\w’'()-]+){{0,6}}?\s+{_FEEDBACK_VERB}\b"
)
# Not feedback: a survey share is a metric, modal verbs are expectations, "patients now feel much safer"
# is the entrant's own claim of improvement, and inspectors', judges' and ministers' words are never
# testimonials.
_NOT_FEEDBACK = _rx(
    r"\d+\s?(?:%|per ?cent)|\b(?:will|would|could|should|must|need to|in order|able to)\b|"
    r"\bnow feels?\b|\bfeels? (?:much|far|a lot|so|more|less|\w+er)\b|"
    r"\b(?:judges?|inspectors?|we found|the report|minister|secretary)\b"
)


def reported_feedback(sentence: str) -> bool:
    """An identifiable group's feedback, reported with its content and without quotation marks."""
    return bool(REPORTED_FEEDBACK.search(sentence)) and not _NOT_FEEDBACK.search(sentence)

PATIENTS = _rx(
    r"\b(?:patients?|carers?|service users?|users|residents|families|parents|young people|children and young people|"
    r"people with lived experience|lived[- ]experience|experts? by experience|public|community members|citizens|"
    r"healthwatch|ppgs?|patient participation groups?|patient (?:panel|partners?|representatives?|reps?|forum|"
    r"council|leaders?|voice|ambassadors?)|mums|women who|local people|people who use)\b"
)
INVOLVE = _rx(
    r"\b(?:co-?design\w*|co-?produc\w*|co-?creat\w*|co-?develop\w*|co-?author\w*|co-?chair\w*|shap\w*|"
    r"help(?:ed|ing)? (?:to )?(?:design|develop|write|shape|create|choose|test|build|plan|set|decide|evaluate|"
    r"review|draft|redesign|choose)|design(?:ed)? (?:the|it|with|by)|designed\b|redesign\w*|developed (?:the|it|with)|"
    r"workshops?|focus groups?|steering group|project board|advis\w*|sat on|sit on|member of|members of|"
    r"panel|tested|user[- ]test\w*|piloted|evaluat\w*|reviewed|chose|named|wrote|write|written by|"
    r"led by|leading|led|lead|suggest\w*|idea\w*|input|insight\w*|consult\w*|listening event\w*|"
    r"engag\w*|involv\w*|drove|championed|govern\w*|interview(?:ed)? .{0,30}to (?:shape|inform)|"
    r"informed|decid\w*|priorit\w*|set the|ran|run by|facilitat\w*|recruit\w* .{0,20} to)\b"
)
PASSIVE_CARE = _rx(
    r"\b(?:patients?|people|service users?|residents|families)\s+(?:\w+\s+){0,2}(?:received|were (?:seen|treated|"
    r"offered|given|referred|discharged|admitted|supported|contacted|screened|called|reviewed|assessed|invited)|"
    r"benefit\w*|attended|accessed|were able to|can now|now (?:receive|get|have))\b"
)
FRONTLINE = _rx(
    r"\b(?:ward staff|front[- ]?line|nurses?|nursing (?:staff|team)|sisters?|matrons?|hcas?|healthcare assistants?|"
    r"health care assistants?|support workers?|doctors?|junior doctors?|resident doctors?|registrars?|consultants?|"
    r"clinicians?|clinical (?:staff|teams?|leads?|colleagues)|gps?|pharmacists?|pharmacy (?:team|technicians?|staff)|"
    r"technicians?|therapists?|physios?|physiotherapists?|occupational therapists?|ots|slts?|dietitians?|"
    r"paramedics?|call handlers?|midwi(?:fe|ves)|health visitors?|district nurses?|porters?|receptionists?|"
    r"administrators?|admin (?:staff|team)|care navigators?|housekeepers?|domestics?|radiographers?|sonographers?|"
    r"scientists?|biomedical scientists?|phlebotomists?|psychologists?|psychiatrists?|social workers?|"
    r"band [2-7]s?|staff (?:nurses?|members?|from|on|in|across)|colleagues from|multidisciplinary|mdt|"
    r"acps?|advanced (?:clinical )?practitioners?|anp|nurse (?:practitioners?|specialists?|consultants?)|"
    r"practice (?:nurses?|staff|managers?)|staff)\b"
)
STAFF_DESIGN = _rx(
    r"\b(?:co-?design\w*|co-?produc\w*|design\w*|redesign\w*|shap\w*|led|lead(?:s|ing)?|devis\w*|"
    r"came up with|suggest\w*|propos\w*|develop\w* (?:the|their|a|new)|wrote|written|drafted|chose|"
    r"pdsa|workshops?|ideas?|input|owned|ownership|champion\w*|drove|driven|built|created|tested|trialled|"
    r"piloted|identified|mapp\w*|process mapping|improvement (?:cycles?|huddles?|sessions?)|huddles?|"
    r"involv\w*|engag\w*|consult\w*|survey\w* .{0,30} to (?:shape|design|inform)|feedback shaped|"
    r"decid\w*|agreed|set the|volunteered|trained as|became)\b"
)

SPREAD = _rx(
    r"\b(?:adopt\w*|replicat\w*|roll(?:ed|ing)?(?: \w+){0,3} out|rolled-out|scal(?:ed|ing) (?:up|out|across|to)|spread|"
    r"extended (?:to|across|into)|expanded (?:to|across|into)|taken up|take-up|uptake|now (?:used|in use|live|running|"
    r"operat\w*|offered|available) (?:in|by|across|at)|implemented (?:in|at|across|by)|introduced (?:in|at|across|to)|"
    r"shared (?:at|with|through|via|across|our|the)|present\w* (?:at|to)|poster|published|conference|webinar|"
    r"toolkit|downloaded|featured|showcas\w*|case study|visited by|visits? from|other (?:trusts|sites|wards|"
    r"practices|pcns|icss?|systems|organisations|teams|hospitals|regions|areas|services|departments)|"
    r"(?:trusts|sites|wards|practices|pcns|systems|teams|hospitals|regions|departments|hubs|localities) (?:have|has) "
    r"(?:adopted|followed|introduced|implemented|taken)|nationally|national (?:programme|roll-?out|adoption|network)|"
    r"region-?wide|system-?wide|across (?:the )?(?:region|ics|icb|system|county|country|trust|network)|"
    r"commissioned (?:across|for|by other)|borrowed|learning (?:has been )?shared|asked (?:us )?to (?:help|support|share))\b"
)
FUTURE = _rx(
    r"\b(?:will|would|shall|expressed (?:an )?interest|interested in|plan(?:s|ned|ning)? to|intend\w* to|hope\w* to|aim(?:s|ing)? to|going to|"
    r"next (?:year|step|steps|phase)|in the future|future|potential(?:ly)? to|could be|could|should|might|may be|"
    r"looking to|keen to|ambition (?:is|to)|would like|want to|wish to|explor\w*|in discussion|discussions)\b"
)
VALUE = _rx(
    r"\b(?:sav(?:ed|ing|ings)|cost (?:avoidance|avoided|reduction|saving|savings|release|benefit)|avoided costs?|"
    r"cost-?(?:effective|neutral|releasing)|return on investment|roi|cash[- ]releas\w*|releas(?:ed|ing) .{0,40}"
    r"(?:hours|days|time|capacity|wte|fte|£)|freed (?:up )?.{0,30}(?:hours|days|time|capacity|beds)|"
    r"(?:bed|staff|nursing|clinical|clinician|consultant|gp|admin) (?:days|hours|time|sessions) (?:saved|released|freed|avoided)|"
    r"(?:hours|days|sessions|wte|fte) (?:of \w+ time )?(?:saved|released|freed|returned|avoided)|"
    r"value for money|efficienc\w*|productivity|net (?:benefit|saving)|payback|recurrent saving|"
    r"cost (?:per|of) (?:patient|case|test|contact|admission)|reduced (?:spend|costs?|expenditure|agency)|"
    r"agency (?:spend|costs?)|spend|expenditure|cip|cost improvement)\b"
)
COUNTED_RESOURCE = _rx(
    rf"(?:£|\$)\s?{NUMBER}|\b{NUMBER}\s*(?:bed ?days|staff hours|hours|nursing hours|clinical hours|wte|fte|"
    r"sessions|appointments|days of|beds)\b"
)
_SPAN_OF_TIME = (
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty[- ]?\w*|"
    r"thirty[- ]?\w*|several|many)\s+(?:consecutive\s+)?(?:months|quarters|years|weeks)"
)
SUSTAIN = _rx(
    r"\b(?:recurrent(?:ly)?|substantive(?:ly)?|business as usual|bau|core (?:service|business|funding|budget|offer)|"
    r"mainstream\w*|embedded|built into|written into|hard-?wired|default|"
    r"part of (?:the |our |its |every )?(?:\w+[- ]){0,3}(?:induction|training|policy|pathway|contract|plan|"
    r"template|bundle|strategy|curriculum|standard|specification|budget|offer|service|programme|process|rota|job plans?)|"
    r"now (?:part of|standard|routine|established|the norm|how we)|standard (?:practice|operating procedure|care)|"
    r"sops?|polic(?:y|ies)|guidelines?|protocols?|commissioned (?:permanently|long-term|on a recurrent)|"
    r"permanent(?:ly)?|sustain\w*|maintained|"
    r"(?:stayed|remained|held|kept|has held|have held|continued)\b.{0,80}?\b(?:for|over|since|throughout|every|each)\b|"
    rf"(?:for|over|across|in) (?:the )?(?:last |past |following )?{_SPAN_OF_TIME}|{_SPAN_OF_TIME} (?:running|in a row|since)|"
    r"consecutive|every (?:month|quarter|year) since|ever since|"
    r"spc|statistical process control|run charts?|special cause|shift in the (?:mean|median)|"
    r"(?:reviewed|audited|monitored|reported|tracked|checked|re-audited)\s+(?:\w+\s+){0,4}?(?:monthly|quarterly|weekly|"
    r"annually|each (?:month|quarter|year|week)|every (?:month|quarter|year|week))|"
    r"handed over|succession|train(?:ed|ing)? (?:the )?trainers?|champions? network|induction|governance|"
    r"dashboard|long-term|ongoing|funded (?:every|each) year|(?:fund|funds|funded|funding) .{0,40}\bfrom (?:its|their|our) "
    r"(?:core|own|recurrent|baseline) budget)\b"
)
ORGANISATION = _rx(
    r"\b(?:[A-Z][\w&'-]+ )+(?:NHS )?(?:Foundation )?(?:Trust|PCN|Council|ICB|ICS|CCG|University|College|Ltd|"
    r"Limited|plc|LLP|CIC|Hospice|Healthwatch|Partnership|Federation|Alliance|Network|Service|Services|Group|"
    r"Charity|Foundation|Association|Society|Institute|Academy|Care|Health|Pharmacy|Ambulance)\b|"
    r"\b(?:the |a |an |our |local |two |three |four |five |six |each )?(?:local authority|county council|"
    r"city council|borough council|district council|pcns?|primary care networks?|icb|ics|integrated care (?:board|system)|"
    r"ccg|acute trust|mental health trust|ambulance (?:service|trust)|community (?:trust|provider)|hospices?|"
    r"housing association|fire (?:and rescue )?service|police|university|universities|ahsn|health innovation network|"
    r"gp federation|social care providers?|care homes?|charit(?:y|ies)|vcse|voluntary sector|third sector|"
    r"community pharmac(?:y|ies)|supplier|vendor|company|industry partner|private provider|healthwatch)\b",
)
PARTNER_VERB = _rx(
    r"\b(?:partner\w*|with|jointly|joint|together|alongside|collaborat\w*|co-?(?:design|produc|fund|locat|"
    r"commission|deliver)\w*|between|and the|worked|working|teamed|hosted by|funded by|supplied|provided by|"
    r"commissioned|seconded|shared|pooled|brought together)\b"
)
VAGUE_PARTNER = _rx(
    r"\b(?:national organisations|various (?:partners|stakeholders|organisations)|stakeholders|key partners|"
    r"a range of (?:partners|organisations)|external partners|wider system partners|partners across the system)\b"
)
CLAIM = _rx(
    r"\b(?:transform\w*|improv\w*|enhanc\w*|better|significant\w*|substantial\w*|dramatic\w*|huge\w*|"
    r"major|greatly|vastly|considerabl\w*|revolutionis\w*|success\w*|effective\w*|positive impact|"
    r"real difference|big difference|game[- ]changer|outstanding|excellent|reduc\w*|increas\w*|"
    r"boost\w*|strengthen\w*|raised|safer|happier|quicker|faster|more efficient|streamlin\w*|"
    r"made a difference|benefit\w*|led to|resulted in)\b"
)
SPECIFIC = _rx(rf"{NUMBER}|\b{WORD_NUMBER}\b|halved|doubled|tripled|[\"“”]")


@dataclass
class RuleResult:
    scores: dict[EvidenceType, float] = field(default_factory=dict)
    features: dict[str, float] = field(default_factory=dict)


def has_result_number(sentence: str) -> bool:
    cleaned = NOT_RESULT_NUMBER.sub(" ", sentence)
    cleaned = YEAR.sub(" ", cleaned)
    return bool(
        PERCENT.search(cleaned)
        or COUNT_UNIT.search(cleaned)
        or WORD_COUNT_UNIT.search(cleaned)
        or FRACTION_WORDS.search(cleaned)
        or (MONEY.search(cleaned) and RESULT_VERB.search(cleaned))
        or re.search(rf"{NUMBER}", cleaned)
        and RESULT_VERB.search(cleaned)
        and not DATE_WORDS.search(cleaned)
    )


def apply_rules(sentence: str) -> RuleResult:
    """Score one sentence for every evidence type."""
    result = RuleResult()
    s = sentence
    f = result.features
    lowered = s.lower()
    future = bool(FUTURE.search(s))
    number = has_result_number(s)
    f["number"] = float(number)
    f["percent"] = float(bool(PERCENT.search(s)))
    f["money"] = float(bool(MONEY.search(s)))
    f["future"] = float(future)
    f["year_only"] = float(bool(YEAR.search(s)) and not number)
    f["not_result_number"] = float(bool(NOT_RESULT_NUMBER.search(s)))

    if number:
        result.scores["metric"] = 0.85 if RESULT_VERB.search(s) else 0.6

    baseline = bool(BASELINE.search(s))
    f["baseline_cue"] = float(baseline)
    if baseline and (number or re.search(NUMBER, s)):
        result.scores["baseline"] = 0.9
    elif baseline:
        result.scores["baseline"] = 0.45

    quote_match = QUOTE.search(s)
    quoted = (quote_match.group("q") or quote_match.group("open") or "") if quote_match else ""
    # Quoted names of tools or campaigns ("Think Glucose") are not anyone's words.
    quote = bool(quoted) and len(quoted.split()) >= 4 and bool(_SPEECH_WORD.search(quoted) or len(quoted.split()) >= 8)
    attributed = bool(ATTRIBUTION.search(s)) or bool(SPEAKER.search(s)) or bool(DASH_ATTRIBUTION.search(s))
    reported = bool(REPORTED_SPEECH.search(s)) or bool(REPORTED_SPEECH_VERB.search(s))
    judges = bool(JUDGES.search(s))
    f["quote"] = float(quote)
    f["reported_speech"] = float(reported)
    f["judges"] = float(judges)
    if not judges and ((quote and attributed) or reported):
        result.scores["testimonial"] = 0.9 if quote else 0.75
    elif quote and not judges:
        result.scores["testimonial"] = 0.5

    patients = PATIENTS.search(s)
    involve = INVOLVE.search(s)
    passive = bool(PASSIVE_CARE.search(s))
    f["patients"] = float(bool(patients))
    f["patient_involve"] = float(bool(patients and involve))
    f["passive_care"] = float(passive)
    if patients and involve and not future:
        result.scores["patient_involvement"] = 0.5 if passive else 0.8

    frontline = FRONTLINE.search(s)
    design = STAFF_DESIGN.search(s)
    f["staff_design"] = float(bool(frontline and design))
    if frontline and design and not future:
        result.scores["staff_involvement"] = 0.75

    spread = bool(SPREAD.search(s))
    f["spread_cue"] = float(spread)
    if spread and not future:
        result.scores["spread"] = 0.8
    elif spread:
        result.scores["spread"] = 0.15

    value = bool(VALUE.search(s))
    counted = bool(COUNTED_RESOURCE.search(s))
    f["value_cue"] = float(value)
    f["counted_resource"] = float(counted)
    if value and (counted or number) and not future:
        result.scores["value"] = 0.85
    elif value and not future:
        result.scores["value"] = 0.45

    sustain = bool(SUSTAIN.search(s))
    f["sustain_cue"] = float(sustain)
    if sustain and not future:
        result.scores["sustainability"] = 0.6

    organisations = ORGANISATION.findall(s)
    f["organisation"] = float(bool(organisations))
    f["vague_partner"] = float(bool(VAGUE_PARTNER.search(s)))
    if organisations and PARTNER_VERB.search(s) and not future:
        result.scores["partnership"] = 0.75 if len(organisations) > 1 or "partner" in lowered else 0.55

    claim = bool(CLAIM.search(s))
    specific = bool(SPECIFIC.search(s))
    f["claim"] = float(claim)
    f["specific"] = float(specific)
    if claim and not specific and not quote and not future:
        result.scores["unsupported_claim"] = 0.6
    return result


FEATURE_NAMES: tuple[str, ...] = tuple(apply_rules("x").features)
