"""Lexicons for the claim extractor: verbs by modality class, actors, countries, scope cues.

Every pattern runs on :func:`~watcher.claims.sentences.lower_same_length` text (lower-case,
straight quotes, offsets kept), except the country patterns, which need the original case.
Korean and Japanese cues sit beside the English ones (no word boundaries there).
"""

from __future__ import annotations

import re

from .fastsearch import HeadAlternation, HeadSearch, LiteralScan

# Modality classes, strongest first (the order the extractor tries them in).
DROP, DELAY, NARROW, HEDGE, LAUNCH, AGREE, PLAN, HOLD, REAFFIRM = (
    "drop", "delay", "narrow", "hedge", "launch", "agree", "plan", "hold", "reaffirm",
)
CLASS_ORDER: tuple[str, ...] = (DROP, DELAY, NARROW, HEDGE, LAUNCH, AGREE, PLAN, HOLD, REAFFIRM)
FIRM_CLASSES = frozenset({LAUNCH, AGREE, HOLD})


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))


VERBS: dict[str, re.Pattern[str]] = {
    DROP: _rx(
        r"\b(?:cancel(?:l?ed|l?ing|s)?|cancell?ation|call(?:ed|s|ing)? off|scrap(?:ped|s|ping)?|"
        r"suspend(?:ed|s|ing)?|suspension|abandon(?:ed|s|ing)?|halt(?:ed|s)?|terminat(?:ed|es|e|ing)|"
        r"shelv(?:ed|es|e)|withdr(?:ew|awn|aw|aws|awing) from|pull(?:ed|s|ing)? out of|"
        r"discontinu(?:ed|es|e)|dissolv(?:ed|es|e)|put on hold|scuttl(?:ed|es|e)|axed|"
        r"no longer (?:hold|pursue|participate|take part))\b",
        r"취소|중단|철회|폐지|무산|中止|取りやめ|取り止め|停止|撤回|廃止",
    ),
    DELAY: _rx(
        r"\b(?:postpon(?:ed|es|e|ing|ement)|(?<!without )delay(?:ed|s|ing)?|push(?:ed|es|ing)? back|"
        r"put off|defer(?:red|s|ring)?|reschedul(?:ed|e|ing)|fail(?:ed|s)? to|miss(?:ed|es)? (?:the|its|their) "
        r"(?:deadline|target)|behind schedule|(?:will|would) not (?:be )?(?:held|hold|meet|take place) "
        r"(?:this|until|before)|not (?:be )?(?:held|launched|finalized) until|slipped to|pushed to)\b",
        r"연기|지연|무기한|延期|先送り|見送り",
    ),
    NARROW: _rx(
        r"\b(?:scal(?:ed|e|es|ing) (?:back|down)|downsiz(?:ed|e|es|ing)|reduced (?:in )?(?:scale|size|scope)|"
        r"smaller[- ]scale|scaled-down|limited to|narrow(?:ed|s)? (?:the|its|their)|"
        r"only (?:a )?(?:tabletop|virtual|symbolic|table-top)|instead of (?:a |an |the )?(?:full|live)|"
        r"(?:is|are|was|were|will) not (?:be )?(?:participating|taking part|joining))\b",
        r"축소|縮小",
    ),
    HEDGE: _rx(
        r"\b(?:(?:will|would|to|may|might|could|agreed to|decided to|also) (?:consider|explore|study|"
        r"look into|examine|review)|consider(?:s|ed|ing)? (?:establishing|creating|launching|holding|"
        r"setting up|forming|the (?:establishment|creation|possibility|feasibility)|whether|ways)|"
        r"explor(?:e|es|ed|ing) (?:ways|the possibility|options|establishing|creating|setting up)|"
        r"(?:may|might|could) (?:establish|launch|hold|create|set up|resume|conduct|form)|"
        r"possibly|in principle|feasibility|if conditions (?:allow|permit)|where appropriate|"
        r"(?:are|is|were|was) (?:still )?(?:coordinating|arranging|in talks)(?: a plan)? (?:to|on|for)|"
        r"(?:are|is) (?:still )?being (?:coordinated|arranged))\b",
        r"검토|모색|検討|模索",
    ),
    LAUNCH: _rx(
        r"\b(?:launched|(?<!to )establish(?:ed|es)|(?<!to )set up|inaugurat(?:ed|es)|officially (?:opened|"
        r"started|began|launched)|(?<!to )opened|activated|went into (?:effect|operation)|took effect|"
        r"entered into force|came into (?:force|effect)|(?:has|have) (?:already )?come into (?:force|effect)|began (?:operating|operations)|"
        r"(?:is|are) (?:now )?(?:operational|in operation|up and running)|signed|completed|finalized)\b",
        r"출범|설립|발족|개소|서명|発足|設立|設置|開設|署名",
    ),
    AGREE: _rx(
        r"\b(?:agree(?:d|s)?|decid(?:ed|es|e)|resolv(?:ed|e) to|commit(?:ted|s)? to|pledg(?:ed|es|e)|"
        r"undert(?:ook|ake|akes) to|"
        r"vow(?:ed|s)?|promis(?:ed|es|e)|adopt(?:ed|s)|approv(?:ed|es)|announc(?:ed|es|e)|unveil(?:ed|s)|"
        r"endors(?:ed|es)|will|shall|(?:are|is) set to|to (?:finalize|establish|launch|create|set up|open|sign)|(?:are|is) to be|to be (?:finalized|established|"
        r"launched|held|created|set up))\b",
        r"합의|결정|약속|공약|合意|決定|約束|表明",
    ),
    PLAN: _rx(
        r"\b(?:plan(?:s|ned|ning)? to|with plans|plans for|aim(?:s|ed|ing)? to|intend(?:s|ed)? to|push(?:ing|ed|es)? for|"
        r"seek(?:s|ing)? to|sought to|propos(?:ed|es|e|al)|envisag(?:ed|es|e)|work(?:s|ed|ing)? "
        r"(?:toward|towards))\b",
        r"계획|추진|予定|計画|目指",
    ),
    HOLD: _rx(
        r"\b(?:held|hold(?:s|ing)?|conduct(?:ed|s|ing)?|stag(?:ed|es|ing)|carr(?:ied|y|ies) out|"
        r"conven(?:ed|es|e)|met|meet(?:s)?|took place|(?:will|to) take place|kicked off|wrapped up|"
        r"took part in|participat(?:ed|e|es) in|resum(?:ed|e|es|ing)|went ahead|go ahead|"
        r"proceed(?:ed)? as (?:planned|scheduled)|as (?:planned|scheduled)|"
        r"(?:begin|began|begun|begins|start|started|starts) (?:the|a|an|their|its) (?:[\w'’.-]+ ){0,5}?"
        r"(?:exercises?|drills?|meeting|talks|dialogue))\b",
        r"개최|실시|열렸|열린|開催|実施|行われ",
    ),
    REAFFIRM: _rx(
        r"\b(?:reaffirm(?:ed|s|ing)?|reiterat(?:ed|es|e|ing)|affirm(?:ed|s|ing)?|underscor(?:ed|es|e|ing)|"
        r"emphasi[sz](?:ed|es|e|ing)|stress(?:ed|es)|highlight(?:ed|s|ing)|welcom(?:ed|es|e|ing)|"
        r"prais(?:ed|es|e|ing)|noted|notes|acknowledg(?:ed|es|e)|recogni[sz](?:ed|es|e)|commend(?:ed|s)|"
        r"continu(?:e|ed|es)|remain(?:s|ed)? committed|uphold|upheld|support(?:ed|s)?|hail(?:ed|s)|"
        r"celebrat(?:ed|es)|expressed (?:support|commitment)|strengthen(?:ed|s)?|enhanc(?:e|ed|es)|"
        r"expand(?:ed|s)?|deepen(?:ed|s)?|advanc(?:e|ed|es)|promot(?:e|ed|es)|recall(?:ed|s)|"
        r"renew(?:ed|s)? (?:their|its|our|the) (?:commitment|pledge|determination|resolve)|"
        r"review(?:ed|s)? (?:the )?(?:progress|implementation)|took stock of|tak(?:e|es|ing) stock of|"
        r"build(?:s|ing)? (?:up)?on)\b",
        r"재확인|확인|강조|환영|평가|再確認|確認|強調|歓迎|評価",
    ),
}

LEMMAS: tuple[tuple[str, str], ...] = (
    ("recall", "reaffirm"), ("renew", "reaffirm"), ("undert", "commit"),   # before "call" (off) and "commit"
    ("cancel", "cancel"), ("call", "cancel"), ("scrap", "cancel"), ("suspen", "suspend"),
    ("abandon", "abandon"), ("halt", "suspend"), ("terminat", "cancel"), ("shelv", "abandon"),
    ("withdr", "withdraw"), ("pull", "withdraw"), ("discontinu", "cancel"), ("dissolv", "cancel"),
    ("put on hold", "suspend"), ("postpon", "postpone"), ("delay", "delay"), ("push", "postpone"),
    ("put off", "postpone"), ("defer", "postpone"), ("reschedul", "postpone"), ("fail", "fail"),
    ("miss", "fail"), ("scal", "scale back"), ("downsiz", "scale back"), ("consider", "consider"),
    ("explor", "explore"), ("stud", "study"), ("launch", "launch"), ("establish", "establish"),
    ("set up", "establish"), ("inaugurat", "launch"), ("activat", "launch"), ("sign", "sign"),
    ("complet", "complete"), ("finaliz", "finalize"), ("agree", "agree"), ("decid", "decide"),
    ("commit", "commit"), ("pledg", "pledge"), ("vow", "pledge"), ("promis", "pledge"),
    ("announc", "announce"), ("will", "will"), ("plan", "plan"), ("with plans", "plan"), ("aim", "aim"),
    ("propos", "propose"), ("held", "hold"), ("hold", "hold"), ("conduct", "hold"), ("stag", "hold"),
    ("conven", "hold"), ("met", "hold"), ("meet", "hold"), ("resum", "resume"), ("reaffirm", "reaffirm"),
    ("reiterat", "reaffirm"), ("affirm", "reaffirm"),
    ("review", "review"), ("stock", "review"), ("build", "build on"), ("prais", "praise"), ("welcom", "welcome"),
    ("noted", "note"), ("notes", "note"), ("continu", "continue"), ("acknowledg", "acknowledge"),
    ("recogni", "recognize"), ("underscor", "underscore"), ("emphasi", "emphasize"), ("stress", "stress"),
    ("highlight", "highlight"), ("support", "support"), ("strengthen", "strengthen"),
    ("취소", "cancel"), ("중단", "suspend"), ("中止", "cancel"), ("停止", "suspend"), ("연기", "postpone"),
    ("延期", "postpone"), ("검토", "consider"), ("検討", "consider"), ("출범", "launch"), ("発足", "launch"),
    ("설립", "establish"), ("設立", "establish"), ("設置", "establish"), ("합의", "agree"), ("合意", "agree"),
    ("개최", "hold"), ("開催", "hold"), ("실시", "hold"), ("実施", "hold"), ("재확인", "reaffirm"),
    ("再確認", "reaffirm"),
)

MODALITY: dict[str, dict[str, str]] = {
    DROP: {"suspend": "suspended", "withdraw": "withdrawn", "abandon": "abandoned", "": "cancelled"},
    DELAY: {"fail": "failed", "": "postponed"},
    NARROW: {"": "narrowed"},
    HEDGE: {"explore": "explore", "": "consider"},
    LAUNCH: {"complete": "completed", "sign": "completed", "finalize": "completed", "": "launched"},
    AGREE: {"will": "will", "commit": "committed", "pledge": "committed", "": "agreed"},
    PLAN: {"aim": "aim", "": "plan"},
    HOLD: {"": "held"},
    REAFFIRM: {"": "reaffirmed"},
}

# Future / infinitive markers that turn a completed-looking verb into an undertaking.
FUTURE_BEFORE = re.compile(r"(?:\bto|\bwill|\bwould|\bshall|\bto be|\bwill be|\bwould be|\bcould be|\bto get)\s+$")
# an agreement announced for later: "will announce", "are expected to agree", "is set to sign"
FUTURE_AGREEMENT = re.compile(
    r"\b(?:will|would|shall|(?:is|are) (?:expected|set|scheduled|poised|likely) to)\s+(?:also\s+|formally\s+)?"
    r"(?:announce|agree|decide|adopt|unveil|endorse|approve)\b"
)
CREATION_DECIDED = re.compile(
    r"\b(?:agreed|decided|have agreed|has agreed|announced)\b[^.;]{0,40}?\bto (?:formally )?(?:establish|"
    r"launch|create|set up|open|inaugurate|stand up)\b|설립하기로|출범하기로|設立することで|発足させることで"
)
CREATION_VERB = re.compile(
    r"\b(?:establish|launch|creat|set(?:ting)? up|develop|form|institut|build|stand(?:ing)? up|inaugurat|"
    r"open|hold regular|start)\w*|설립|출범|창설|設立|創設|発足|設置"
)
TRILATERAL_WORD = re.compile(
    r"\b(?:trilateral(?:ly)?|three[- ]way|trilat|three countries|three nations|three allies|three sides|"
    r"three governments|three leaders|three ministers|among the three|of the three|the three)\b|"
    r"한미일|한·미·일|한일미|미일한|日米韓|韓米日|米日韓|3국|3カ国|三か国"
)

NEGATION = re.compile(r"\b(?:not|no|never|neither|nor|without|cannot)\b|n't\b|않|없|안 |못 |ない|ず|せず|ません")
DENIAL = re.compile(
    r"\b(?:den(?:ied|ies|y|ying)|dismiss(?:ed|es|ing)? (?:the |media |press )?(?:reports?|rumou?rs?|"
    r"speculation|claims)|reject(?:ed|s|ing)? (?:the |media |press )?(?:reports?|rumou?rs?|speculation|"
    r"claims)|refut(?:ed|es|ing)|groundless|baseless|unfounded|not true|false reports?|"
    r"no plans? to (?:cancel|postpone|suspend|scrap|delay|withdraw|halt|call off))\b|부인|否定|事実無根"
)
REVERSAL = re.compile(
    r"\b(?:but|then|later|eventually|after all|nonetheless|nevertheless|however|ultimately)\b[^.;]{0,80}?"
    r"\b(?:held|resumed|went ahead|took place|launched|proceeded|reinstated|restored|as planned|as scheduled)\b"
)
RETROSPECTIVE = re.compile(
    r"\b(?:previously|last year|earlier this year|at camp david|had (?:agreed|pledged|committed|decided)|"
    r"back in|years? ago|in (?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december) (?:last year|20\d\d)|then-)\b|지난해|작년|昨年"
)
# A later iteration named by its ordinal ("held the second trilateral exercise", "for the third time",
# "the latest round of", 제3차 회의, 두 번째, 第3回, 3回目, 二度目): not the first, so it cannot be the first
# step of what it belongs to. An ordinal after "of/at/during the" names the setting, not the iteration.
REPEAT = re.compile(
    r"(?<!of the )(?<!at the )(?<!during the )\b(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"(?:[2-9]|[1-9]\d)(?:nd|rd|th))(?:[ -][\w'’-]+){0,4}? (?:rounds?|meetings?|summits?|sessions?|exercises?|"
    r"drills?|dialogues?|talks|conferences?|editions?|iterations?|consultations?|gatherings?)\b|"
    r"\bfor the (?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth) (?:time|straight year)\b|"
    r"\b(?:latest|another|next) round of\b|\b(?:second|third|fourth|fifth) of its kind\b|"
    r"제\s?(?:[2-9]|[1-9]\d)\s?차|(?:[2-9]|[1-9]\d)\s?차\s?(?:회의|회담|훈련|대화|협의)|(?:두|세|네|다섯)\s?번째|"
    r"(?:[2-9]|[1-9]\d)\s?번째|第(?:[2-9２-９]|[1-9１-９][0-9０-９]|[二三四五六七八九]|十[一二三四五六七八九]?)回|"
    r"(?:[2-9２-９]|[1-9１-９][0-9０-９]|[二三四五六七八九])(?:回目|度目)"
)
PRESENT_LINK = re.compile(
    r"\b(?:this|today|now|on this day|currently|this year|this week|will|at present)\b|올해|이번|今回|今年"
)
REPORTED = re.compile(
    r"\b(?:said|says|say|told|stated|added|according to|quoted|reportedly|readout|in a (?:release|statement)|"
    r"announced|briefing|pointed out|emphasized|noted)\b|밝혔|말했|述べ|明らかにし"
)
QUOTE_CHARS = re.compile(r"[\"“”「」『』]")

# ----------------------------------------------------------------- actors
GOV_ACTORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("joint statement", re.compile(
        r"\b(?:joint (?:statement|declaration|press statement|readout|communiqu[eé]|fact sheet)|"
        r"readout|communiqu[eé]|fact sheet)\b|공동성명|공동 성명|共同声明|共同発表")),
    ("spokesperson", re.compile(r"\b(?:spokes(?:person|man|woman)|press secretary)\b|대변인|報道官")),
    ("defense ministers", re.compile(
        r"\b(?:defen[cs]e (?:ministers?|chiefs?|secretar(?:y|ies)|officials?)|secretary of defen[cs]e|"
        r"pentagon|defen[cs]e minist(?:ry|ries)|chiefs? of (?:defen[cs]e|staff)|joint chiefs)\b|국방장관|防衛相")),
    ("foreign ministers", re.compile(
        r"\b(?:foreign ministers?|top diplomats?|secretar(?:y|ies) of state|deputy secretar(?:y|ies)|"
        r"vice (?:foreign )?ministers?|diplomats?|envoys?|nuclear envoys?)\b|외교장관|외무장관|外相|外務大臣")),
    ("national security advisers", re.compile(
        r"\b(?:national security (?:advis[eo]rs?|adviser|secretar(?:y|ies))|security advis[eo]rs?)\b|안보실장")),
    ("militaries", re.compile(
        r"\b(?:militar(?:y|ies)|armed forces|navies|navy|air forces?|coast guards?|usfk|self-defense forces|"
        r"commanders?|troops|warships|destroyers|aircraft carriers?|naval vessels)\b|군 당국|합참|自衛隊")),
    ("leaders", re.compile(
        r"\b(?:leaders?|heads of state|presidents?|prime ministers?|premiers?|biden|trump|yoon|kishida|"
        r"ishiba|takaichi|suga|moon jae-in|lee jae-myung)\b|정상|대통령|首脳|首相|大統領")),
    ("ministry", re.compile(
        r"\b(?:(?:foreign|unification) minist(?:ry|ries)|ministry|ministries|state department|"
        r"department of state|white house|presidential office|cheong wa dae|kantei|mofa|governments?|"
        r"administration|cabinet|officials?|ministers?|ministerial|secretary|blinken|rubio|austin|hegseth|"
        r"sullivan|campbell|kamikawa|iwaya|motegi|hayashi|cho tae-yul|park jin|chung eui-yong|"
        r"the three (?:countries|nations|sides|allies|governments|partners|ministers|officials)|"
        r"all three|three-way talks)\b|외교부|국방부|대통령실|정부|外務省|防衛省|官邸|政府")),
)
NONGOV_ACTOR = re.compile(
    r"\b(?:analysts?|experts?|observers?|critics?|scholars?|professors?|researchers?|commentators?|pundits?|"
    r"think[- ]tanks?|editor|editorial|reporters?|journalists?|columnists?|media|newspapers?|opinion|"
    r"polls?|surveys?|dr\.|activists?|opposition|lawmakers?|some say|skeptics?)\b|전문가|분석가|専門家|識者"
)
PRONOUN_SUBJECT = re.compile(
    r"(?:^|[,\s\"“])(?:they|we|he|she|both|the three|all three|the sides|the two|the countries|the nations|"
    r"the allies|the partners|the trio)"
    r"(?:\s+(?:also|have|has|had|jointly|then|later|further|again|all))*\s*$|^\W*(?:they|we)\b"
)
THING_SUBJECT = re.compile(r"^(?:\W*)(?:it|this|that|which|there)\b")
FIRST_PERSON = re.compile(r"\b(?:we|our|us)\b|우리|われわれ|我々")
PASSIVE_AUX = re.compile(r"\b(?:was|were|is|are|been|be|being)\s+(?:\w+ly\s+)?$")

# ----------------------------------------------------------------- countries and scope
COUNTRIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("US", re.compile(r"\bU\.\s?S\.|\bUS\b|\bUSA\b|United States|\bAmerica|\bWashington\b|White House|"
                      r"State Department|Pentagon|미국|美國|米国|アメリカ|\bBiden\b|\bTrump\b|\bBlinken\b")),
    ("JP", re.compile(r"\bJapan|\bTokyo\b|\bKishida\b|\bIshiba\b|\bTakaichi\b|\bKamikawa\b|일본|日本|日米|日韓")),
    ("KR", re.compile(r"(?<!North )(?<!N\. )\bKorea(?:n|ns)?\b(?! Peninsula)|\bROK\b|\bSeoul\b|\bYoon\b|"
                      r"한국|대한민국|韓国|韓米|日韓|한미|한일")),
    ("KP", re.compile(r"North Korea|\bDPRK\b|Pyongyang|\bN\.\s?K\.|북한|北朝鮮")),
    ("CN", re.compile(r"\bChina\b|\bChinese\b|\bBeijing\b|\bPRC\b|중국|中国|日中")),
    ("PH", re.compile(r"Philippine|\bManila\b|\bMarcos\b|필리핀|フィリピン")),
    ("AU", re.compile(r"Australia|\bCanberra\b|호주|豪州|オーストラリア")),
    ("IN", re.compile(r"\bIndia\b|\bIndian\b|\bNew Delhi\b|인도|インド")),
    ("RU", re.compile(r"\bRussia|\bMoscow\b|러시아|ロシア")),
)
_C = r"(?:South Korea|S\. Korea|Korea|ROK|Seoul)"
_J = r"(?:Japan|Tokyo)"
_CN = r"(?:China|Beijing)"
OTHER_FORMAT = re.compile(
    rf"{_CN}[-–, ]+(?:and )?{_J}[-–, ]+(?:and )?{_C}|{_C}[-–, ]+(?:and )?{_CN}[-–, ]+(?:and )?{_J}|"
    rf"{_J}[-–, ]+(?:and )?{_CN}[-–, ]+(?:and )?{_C}|{_CN}[-–, ]+(?:and )?{_C}[-–, ]+(?:and )?{_J}|"
    rf"{_C}[-–, ]+(?:and )?{_J}[-–, ]+(?:and )?{_CN}|{_J}[-–, ]+(?:and )?{_C}[-–, ]+(?:and )?{_CN}|"
    r"\bCJK\b|\bTCS\b|한중일|한·중·일|日中韓|中日韓|\bQuad\b|\bQUAD\b|Nuclear Consultative Group|\bNCG\b|"
    r"\bAUKUS\b|Philippine|Australia|\bbilateral\b|\bseparate(?: \w+)? (?:meeting|talks|summit)|one-on-one|"
    r"(?:ROK|Korea|South Korea)-(?:U\.?S\.?|US) alliance|(?:U\.?S\.?|US)-(?:ROK|Korea|Japan) alliance|"
    r"Japan-(?:U\.?S\.?|US) alliance|한미동맹|日米同盟|한미 |日米首脳|한미 정상|한일 정상|日韓首脳"
)
_USJPKR_LITERALS = ("한미일", "한·미·일", "한일미", "미일한", "日米韓", "韓米日", "米日韓", "日韓米", "Camp David trilateral")
USJPKR_FORMAT = re.compile("|".join(re.escape(lit) for lit in _USJPKR_LITERALS))

# ----------------------------------------------------------------- combined patterns (one pass each)
# The combined regexes define the semantics; the WordAlternation twins give the same matches
# several times faster (only where a literal head of a verb / an actor occurs is tried).
VERB_ALL = re.compile("|".join(f"(?P<{k}>{VERBS[k].pattern})" for k in CLASS_ORDER))
VERB_FAST = HeadAlternation([(k, VERBS[k]) for k in CLASS_ORDER])
_ACTOR_GROUPS = {f"a{i}": name for i, (name, _rx) in enumerate(GOV_ACTORS)}
ACTOR_ALL = re.compile(
    "|".join(f"(?P<a{i}>{rx.pattern})" for i, (_name, rx) in enumerate(GOV_ACTORS))
    + f"|(?P<nongov>{NONGOV_ACTOR.pattern})"
)
ACTOR_FAST = HeadAlternation([(f"a{i}", rx) for i, (_name, rx) in enumerate(GOV_ACTORS)] + [("nongov", NONGOV_ACTOR)])
_OTHER_LITERALS = (
    "China", "Beijing", "CJK", "TCS", "한중일", "한·중·일", "日中韓", "中日韓", "Quad", "QUAD", "Nuclear Consultative",
    "NCG", "AUKUS", "Philippine", "Australia", "bilateral", "separate", "one-on-one", "alliance", "동맹", "日米",
    "한미", "日韓", "한일",
)


def actor_label(group: str) -> str:
    """The actor name of an ACTOR_ALL / ACTOR_FAST group ("" for a non-government actor)."""
    return _ACTOR_GROUPS.get(group, "")


_COUNTRY_LITERALS: dict[str, tuple[str, ...]] = {  # every match of a code's pattern contains one of these
    "US": ("U.", "US", "United States", "America", "Washington", "White House", "State Department", "Pentagon",
           "미국", "美國", "米国", "アメリカ", "Biden", "Trump", "Blinken"),
    "JP": ("Japan", "Tokyo", "Kishida", "Ishiba", "Takaichi", "Kamikawa", "일본", "日本", "日米", "日韓"),
    "KR": ("Korea", "ROK", "Seoul", "Yoon", "한국", "대한민국", "韓国", "韓米", "日韓", "한미", "한일"),
    "KP": ("North Korea", "DPRK", "Pyongyang", "N.", "북한", "北朝鮮"),
    "CN": ("China", "Chinese", "Beijing", "PRC", "중국", "中国", "日中"),
    "PH": ("Philippine", "Manila", "Marcos", "필리핀", "フィリピン"),
    "AU": ("Australia", "Canberra", "호주", "豪州", "オーストラリア"),
    "IN": ("India", "New Delhi", "인도", "インド"),
    "RU": ("Russia", "Moscow", "러시아", "ロシア"),
}
THIRD_PARTY_LITERALS = ("China", "Philippine", "Australia", "Quad", "한중일", "日中韓", "TCS", "CJK")
_LITERALS = LiteralScan(
    {**_COUNTRY_LITERALS, "OTHER": _OTHER_LITERALS, "USJPKR": _USJPKR_LITERALS, "THIRD": THIRD_PARTY_LITERALS}
)


_COUNTRIES_FAST = tuple((code, HeadSearch(rx)) for code, rx in COUNTRIES)
_OTHER_FORMAT_FAST = HeadSearch(OTHER_FORMAT)


def literal_keys(text: str) -> set[str]:
    """The country codes whose literals occur in ``text``, plus "OTHER" (a literal of an other
    format), "USJPKR" (USJPKR_FORMAT matches: it is a list of literals) and "THIRD" (a third party named)."""
    return _LITERALS.keys(text)


def literal_hits(text: str) -> list[tuple[int, frozenset[str]]]:
    """(position, keys) of the literals of :func:`literal_keys` in ``text``, in order. The keys
    of the hits inside a part of ``text`` hold the :func:`literal_keys` of that part."""
    return _LITERALS.hits(text)


def countries_in(text: str, keys: set[str] | None = None) -> frozenset[str]:
    """Country codes named in ``text`` (original case): a literal pre-check, then the pattern.

    ``keys``: :func:`literal_keys` of ``text`` when already known.
    """
    if keys is None:
        keys = literal_keys(text)
    return frozenset(code for code, rx in _COUNTRIES_FAST if code in keys and rx.search(text))


def other_format(text: str, keys: set[str] | None = None) -> bool:
    """An explicit non-US-Japan-ROK format (China-Japan-Korea, Quad, NCG, bilateral ...)."""
    if keys is None:
        keys = literal_keys(text)
    return "OTHER" in keys and "USJPKR" not in keys and _OTHER_FORMAT_FAST.search(text) is not None
