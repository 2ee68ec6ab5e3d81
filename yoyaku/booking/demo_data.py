"""The demo city that `make run` loads (`manage.py demo`): venues, vaccines, four weeks of slots,
residents of every age, an open booking window, notices, staff users, and a few reservations.

Deterministic for a seed (and a day: the slots start tomorrow). Slots and the booking window are
written by the services the generate_slots and open_booking commands call (services.slots_generate,
services.booking_window_open); reservations go
through services.reservation_book, so the counters and the audit trail are the real thing. The command
lives with the console (yoyaku/console/management/commands/demo.py), which adds the venue staff's venues.
Everything here is invented: names, ticket numbers, addresses and phone numbers (0195-00-…).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from . import rules, services
from .errors import BookingError
from .models import (
    DoseRecord,
    Notice,
    Reservation,
    Resident,
    Slot,
    Vaccine,
    Venue,
)
from .slot_patterns import SlotPattern, parse_times, parse_weekdays

WEEKS = 4
OLDEST_BIRTH_DATE = date(1930, 1, 1)
YOUNGEST_BIRTH_DATE = date(2012, 12, 31)
MIN_RESIDENTS = 10


# --- The city ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VaccineSpec:
    code: str
    name: str
    min_age: int
    next_dose_min_days: int
    doses_per_vial: int


VACCINES = [
    VaccineSpec("PFZ", "ファイザー社製", min_age=12, next_dose_min_days=21, doses_per_vial=6),
    VaccineSpec("MDN", "武田/モデルナ社製", min_age=18, next_dose_min_days=28, doses_per_vial=10),
]

AREAS = ["北地区", "中央地区", "南地区", "浄法寺地区"]
_TOWNS = {"北地区": "デモ市北町", "中央地区": "デモ市中央", "南地区": "デモ市南町", "浄法寺地区": "デモ市浄法寺町"}
_POSTAL = {"北地区": "028-5901", "中央地区": "028-5902", "南地区": "028-5903", "浄法寺地区": "028-5904"}

_CLINIC_PM = "14:00,14:30,15:00,15:30,16:00,16:30"
_SAT_AM = "09:00,09:30,10:00,10:30,11:00,11:30"
_GROUP_DAY = "09:30,10:00,10:30,11:00,13:30,14:00,14:30,15:00"


@dataclass(frozen=True)
class Schedule:
    """A weekly pattern: on these weekdays, at these times, slots of `minutes` with `capacity` places."""

    vaccine: str
    weekdays: str
    times: str
    capacity: int
    minutes: int = 30


@dataclass(frozen=True)
class VenueSpec:
    code: str
    name: str
    kind: str
    area: str
    address: str
    phone: str
    notes: str
    schedules: list[Schedule] = field(default_factory=list)

    @property
    def vaccines(self) -> list[str]:
        return sorted({schedule.vaccine for schedule in self.schedules})


# Capacities follow the vials: a clinic giving Pfizer 3 every half hour opens one vial (6 doses) an
# hour; a group site gives 12 (two vials) or, with Moderna, 10 (one vial) every half hour.
VENUES = [
    VenueSpec("C01", "さくら内科クリニック", Venue.Kind.CLINIC, "中央地区", "デモ市中央一丁目2-3", "0195-00-1101",
              "市役所前バス停から徒歩3分。駐車場6台。",
              [Schedule("PFZ", "mon,tue,wed,fri", _CLINIC_PM, 3), Schedule("PFZ", "sat", _SAT_AM, 3)]),
    VenueSpec("C02", "みどり医院", Venue.Kind.CLINIC, "中央地区", "デモ市中央三丁目8-1", "0195-00-1102",
              "駅東口から徒歩8分。駐車場は医院裏に4台。",
              [Schedule("PFZ", "mon,wed,thu", _CLINIC_PM, 3)]),
    VenueSpec("C03", "きたやま診療所", Venue.Kind.CLINIC, "北地区", "デモ市北町字上野12", "0195-00-2101",
              "北町郵便局の向かい。駐車場10台。",
              [Schedule("PFZ", "tue,thu,fri", "13:30,14:00,14:30,15:00,15:30,16:00", 3)]),
    VenueSpec("C04", "あおば内科・小児科", Venue.Kind.CLINIC, "北地区", "デモ市北町字中野5-2", "0195-00-2102",
              "12歳以上の方の接種も行います。車いすでお越しの方はお電話ください。",
              [Schedule("PFZ", "mon,tue,thu,fri", "15:00,15:30,16:00,16:30", 3)]),
    VenueSpec("C05", "みなみ台クリニック", Venue.Kind.CLINIC, "南地区", "デモ市南町二丁目4-7", "0195-00-3101",
              "南町バス停から徒歩2分。駐車場8台。",
              [Schedule("PFZ", "mon,wed,fri", _CLINIC_PM, 3), Schedule("PFZ", "sat", _SAT_AM, 3)]),
    VenueSpec("C06", "かわべ内科医院", Venue.Kind.CLINIC, "南地区", "デモ市南町字川辺30", "0195-00-3102",
              "武田/モデルナ社製のみ（18歳以上）。駐車場5台。",
              [Schedule("MDN", "tue,thu", "14:00,14:30,15:00,15:30", 5)]),
    VenueSpec("C07", "浄法寺診療所", Venue.Kind.CLINIC, "浄法寺地区", "デモ市浄法寺町字下前田3", "0195-00-4101",
              "浄法寺総合支所の隣。駐車場15台。",
              [Schedule("PFZ", "mon,thu", "14:00,14:30,15:00,15:30", 3)]),
    VenueSpec("G01", "市民文化会館（集団接種会場）", Venue.Kind.GROUP, "中央地区", "デモ市中央二丁目1-1",
              "0195-00-1001",
              "大ホール棟1階。無料駐車場200台。上履きは不要です。土日のみ。",
              [Schedule("PFZ", "sat,sun", _GROUP_DAY, 12), Schedule("MDN", "sat,sun", _GROUP_DAY, 10)]),
    VenueSpec("G02", "北地区体育館（集団接種会場）", Venue.Kind.GROUP, "北地区", "デモ市北町字大平1", "0195-00-2001",
              "正面玄関からお入りください。駐車場80台。土曜のみ。",
              [Schedule("MDN", "sat", _GROUP_DAY, 10)]),
    VenueSpec("G03", "浄法寺総合支所（集団接種会場）", Venue.Kind.GROUP, "浄法寺地区", "デモ市浄法寺町字下前田40",
              "0195-00-4001",
              "2階大会議室。エレベーターあり。駐車場40台。日曜午前のみ。",
              [Schedule("PFZ", "sun", "09:30,10:00,10:30,11:00", 12)]),
]


@dataclass(frozen=True)
class DemoLogin:
    ticket_number: str
    birth_date: date
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    note: str


# Residents a newcomer can log in as. They never get a reservation from the demo.
DEMO_LOGINS = [
    DemoLogin("2000000011", date(1944, 5, 10), "佐藤", "ハナ", "サトウ", "ハナ", "昭和19年5月10日"),
    DemoLogin("2000000022", date(1978, 11, 23), "高橋", "健一", "タカハシ", "ケンイチ", "昭和53年11月23日"),
    DemoLogin("2000000033", date(2010, 8, 5), "千葉", "さくら", "チバ", "サクラ",
              "平成22年8月5日; under 18: Pfizer (PFZ) only"),
]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    password: str
    group: str
    superuser: bool
    last_name: str
    first_name: str


STAFF_GROUPS = ["city_admin", "call_centre", "venue_staff"]
STAFF = [
    StaffSpec("admin", "demo-admin-2026", "city_admin", True, "市役所", "管理者"),
    StaffSpec("operator", "demo-operator-2026", "call_centre", False, "予約相談センター", "オペレーター"),
    StaffSpec("venue1", "demo-venue1-2026", "venue_staff", False, "さくら内科クリニック", "受付"),
]
# Venue staff see the rosters of these venues only: the console's `demo` command gives them their
# StaffProfile (booking knows nothing of the console).
STAFF_VENUES = {"venue1": ["C01"]}

# The banner's addresses come from settings.YOYAKU["SITE_URL"] (YOYAKU_SITE_URL, which `make run` derives
# from HOST and PORT), the same setting that writes the links in the emails.

# --- Names ---------------------------------------------------------------------------------------

FAMILY_NAMES = [
    ("佐藤", "サトウ"), ("高橋", "タカハシ"), ("佐々木", "ササキ"), ("千葉", "チバ"), ("阿部", "アベ"),
    ("菅原", "スガワラ"), ("鈴木", "スズキ"), ("工藤", "クドウ"), ("小野寺", "オノデラ"), ("及川", "オイカワ"),
    ("村上", "ムラカミ"), ("伊藤", "イトウ"), ("菊池", "キクチ"), ("中村", "ナカムラ"), ("小原", "オバラ"),
    ("藤原", "フジワラ"), ("吉田", "ヨシダ"), ("斉藤", "サイトウ"), ("山本", "ヤマモト"), ("田中", "タナカ"),
    ("畠山", "ハタケヤマ"), ("熊谷", "クマガイ"), ("大村", "オオムラ"), ("坂本", "サカモト"), ("清水", "シミズ"),
    ("三浦", "ミウラ"), ("遠藤", "エンドウ"), ("橋本", "ハシモト"), ("小笠原", "オガサワラ"), ("山口", "ヤマグチ"),
]

# Given names by generation (born before 1960, 1960-1989, from 1990), male and female.
GIVEN_NAMES = {
    ("old", "m"): [("正男", "マサオ"), ("清", "キヨシ"), ("茂", "シゲル"), ("勝", "マサル"), ("實", "ミノル"),
                   ("一郎", "イチロウ"), ("武", "タケシ"), ("博", "ヒロシ"), ("三郎", "サブロウ"),
                   ("昭二", "ショウジ")],
    ("old", "f"): [("ハナ", "ハナ"), ("キヨ", "キヨ"), ("トシ子", "トシコ"), ("幸子", "サチコ"), ("和子", "カズコ"),
                   ("節子", "セツコ"), ("美代子", "ミヨコ"), ("久子", "ヒサコ"), ("洋子", "ヨウコ"),
                   ("信子", "ノブコ")],
    ("mid", "m"): [("誠", "マコト"), ("浩", "ヒロシ"), ("健一", "ケンイチ"), ("隆", "タカシ"), ("哲也", "テツヤ"),
                   ("大輔", "ダイスケ"), ("直樹", "ナオキ"), ("和也", "カズヤ"), ("達也", "タツヤ"), ("学", "マナブ")],
    ("mid", "f"): [("恵子", "ケイコ"), ("由美", "ユミ"), ("真由美", "マユミ"), ("智子", "トモコ"), ("裕子", "ユウコ"),
                   ("直美", "ナオミ"), ("明美", "アケミ"), ("久美子", "クミコ"), ("陽子", "ヨウコ"), ("恵美", "エミ")],
    ("young", "m"): [("翔太", "ショウタ"), ("拓海", "タクミ"), ("大翔", "ヒロト"), ("蓮", "レン"), ("悠斗", "ユウト"),
                     ("颯太", "ソウタ"), ("陸", "リク"), ("健太", "ケンタ"), ("翼", "ツバサ"), ("湊", "ミナト")],
    ("young", "f"): [("陽菜", "ヒナ"), ("美咲", "ミサキ"), ("結衣", "ユイ"), ("さくら", "サクラ"), ("葵", "アオイ"),
                     ("凛", "リン"), ("美羽", "ミウ"), ("七海", "ナナミ"), ("彩花", "アヤカ"), ("芽依", "メイ")],
}

_RELATIONS = [("長男", "m"), ("長女", "f"), ("次男", "m"), ("妻", "f"), ("孫", "f")]


def _generation(birth_date: date) -> str:
    if birth_date.year < 1960:
        return "old"
    return "mid" if birth_date.year < 1990 else "young"


# --- The plan: pure data from the seed ------------------------------------------------------------


def plan_residents(*, count: int, seed: int) -> list[dict]:
    """The residents' fields, the demo logins first. Same seed, same residents."""
    rng = random.Random(f"yoyaku-demo-residents-{seed}")
    taken = {login.ticket_number for login in DEMO_LOGINS}
    rows = []
    for login in DEMO_LOGINS[:count]:
        area = "中央地区"
        rows.append({
            "ticket_number": login.ticket_number,
            "birth_date": login.birth_date,
            "family_name": login.family_name,
            "given_name": login.given_name,
            "family_name_kana": login.family_name_kana,
            "given_name_kana": login.given_name_kana,
            "phone": f"0195-00-{9000 + len(rows):04d}",
            "email": "",
            "postal_code": _POSTAL[area],
            "address": f"{_TOWNS[area]}一丁目{len(rows) + 1}-1",
            "groups": "",
            "active": True,
        })
    span = (YOUNGEST_BIRTH_DATE - OLDEST_BIRTH_DATE).days
    while len(rows) < count:
        ticket = f"{rng.randrange(10**10):010d}"
        if ticket in taken:
            continue
        taken.add(ticket)
        birth_date = OLDEST_BIRTH_DATE + timedelta(days=rng.randrange(span + 1))
        sex = rng.choice("mf")
        family_name, family_kana = rng.choice(FAMILY_NAMES)
        given_name, given_kana = rng.choice(GIVEN_NAMES[(_generation(birth_date), sex)])
        area = rng.choice(AREAS)
        n = len(rows)
        groups = ""
        roll = rng.random()
        if roll < 0.02:
            groups = "medical"
        elif roll < 0.04 and birth_date.year < 1950:
            groups = "care-home"
        rows.append({
            "ticket_number": ticket,
            "birth_date": birth_date,
            "family_name": family_name,
            "given_name": given_name,
            "family_name_kana": family_kana,
            "given_name_kana": given_kana,
            "phone": f"0195-00-{rng.randrange(10000):04d}" if rng.random() < 0.85 else "",
            "email": f"resident{n:05d}@example.com" if rng.random() < 0.25 else "",
            "postal_code": _POSTAL[area],
            "address": f"{_TOWNS[area]}{rng.randint(1, 40)}-{rng.randint(1, 30)}",
            "groups": groups,
            "active": rng.random() >= 0.01,  # a few have moved away
        })
    return rows


def notices(*, first_day: date, last_day: date) -> list[dict]:
    city = settings.YOYAKU
    phones = "、".join(city["CALL_CENTRE_PHONES"])
    phones_en = ", ".join(city["CALL_CENTRE_PHONES"])
    days = city["WEB_DEADLINE_DAYS_BEFORE"]
    at = city["WEB_DEADLINE_TIME"]
    return [
        {
            "title_ja": "新型コロナワクチン接種の予約を受け付けています",
            "body_ja": (
                f"接種期間は{first_day.month}月{first_day.day}日から{last_day.month}月{last_day.day}日までです。"
                "このサイトまたは予約相談センター（電話）で予約できます。\n"
                "2回目は1回目と同じワクチンで、ファイザー社製は21日以上、武田/モデルナ社製は28日以上あけて接種します。"
                "1回目を予約すると、2回目の予約もこのサイトでできます。"
            ),
            "title_en": "COVID-19 vaccination: booking is open",
            "body_en": (
                f"Vaccinations run from {first_day:%d %B} to {last_day:%d %B}. Book on this site or by phone "
                "with the call centre.\n"
                "Dose 2 is the same vaccine as dose 1: at least 21 days later for Pfizer, 28 days for "
                "Takeda/Moderna. Once dose 1 is booked you can book dose 2 here too."
            ),
        },
        {
            "title_ja": "接種当日の持ち物",
            "body_ja": (
                "・接種券（予診票は記入してお持ちください）\n"
                "・本人確認書類（運転免許証、健康保険証、マイナンバーカードなど）\n"
                "・お薬手帳（お持ちの方）\n"
                "肩を出しやすい服装でお越しください。"
            ),
            "title_en": "What to bring on the day",
            "body_en": (
                "- Your vaccination ticket (fill in the questionnaire beforehand)\n"
                "- Proof of identity (driving licence, health insurance card, My Number card…)\n"
                "- Your medication notebook (お薬手帳), if you have one\n"
                "Please wear clothes that make your upper arm easy to uncover."
            ),
            # The city's own やさしい日本語 (shown with the furigana switch on).
            "title_easy": "ちゅうしゃの 日に もって くる もの",
            "body_easy": (
                "・接種券（予診票に 書いて から もって きて ください）\n"
                "・あなたが だれか わかる もの（運転免許証、保険証、マイナンバーカード など）\n"
                "・お薬手帳（もって いる 人）\n"
                "かたを 出しやすい 服を 着て きて ください。"
            ),
        },
        {
            "title_ja": "予約の変更・キャンセルについて",
            "body_ja": (
                f"Webでの変更・キャンセルは接種日の{days}日前の{at}までです。それ以降は予約相談センター"
                f"（{phones}、{city['CALL_CENTRE_HOURS']}）へお電話ください。\n"
                "接種を受けられなくなった場合は必ずキャンセルしてください。ワクチンを無駄なく使うため、"
                "空いた枠は繰上げを希望された方にご案内します。"
            ),
            "title_en": "Changing or cancelling",
            "body_en": (
                f"On the web you can change or cancel until {at} on the day {days} days before your appointment. "
                f"After that, please call the call centre ({phones_en}).\n"
                "If you cannot come, please cancel: the freed place is offered to people waiting for an "
                "earlier date, so no vaccine is wasted."
            ),
        },
    ]


# --- Loading --------------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    venues: int = 0
    slots: int = 0
    residents: int = 0
    reservations: int = 0
    cancelled: int = 0
    imported_doses: int = 0
    notices: int = 0
    staff_created: list[str] = field(default_factory=list)
    staff_existing: list[str] = field(default_factory=list)


def database_has_data() -> bool:
    """Residents, venues, vaccines or slots already there: the demo would collide with them."""
    return any(model.objects.exists() for model in (Resident, Venue, Vaccine, Slot))


def load(*, residents: int = 1000, seed: int = 1, now: datetime | None = None) -> DemoSummary:
    """Load the demo city into an empty database, in one transaction (all but the venue staff's venues,
    which the console's `demo` command adds)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_day = today + timedelta(days=1)
    last_day = first_day + timedelta(days=WEEKS * 7 - 1)
    system = services.Actor.system()
    summary = DemoSummary()

    with transaction.atomic():
        vaccines = {}
        for spec in VACCINES:
            vaccines[spec.code] = Vaccine.objects.create(
                code=spec.code, name=spec.name, min_age=spec.min_age, next_dose_min_days=spec.next_dose_min_days,
                doses_per_vial=spec.doses_per_vial,
            )

        tz = timezone.get_current_timezone()
        for spec in VENUES:
            venue = Venue.objects.create(
                code=spec.code, name=spec.name, kind=spec.kind, area=spec.area, address=spec.address,
                phone=spec.phone, notes=spec.notes,
            )
            venue.vaccines.set([vaccines[code] for code in spec.vaccines])
            for schedule in spec.schedules:
                pattern = SlotPattern(
                    first_day=first_day, last_day=last_day, weekdays=parse_weekdays(schedule.weekdays),
                    times=tuple(parse_times(schedule.times)), minutes=schedule.minutes,
                )
                result = services.slots_generate(
                    actor=system, venue=venue, vaccine=vaccines[schedule.vaccine], pattern=pattern,
                    capacity=schedule.capacity, doses=[1, 2], tz=tz, now=now,
                )
                summary.slots += result.created
            summary.venues += 1

        services.booking_window_open(
            actor=system, doses=[1, 2], label="全員（デモ）", now=now,
            opens_at=timezone.make_aware(datetime.combine(today, time(0, 0)), tz),
        )

        rows = plan_residents(count=residents, seed=seed)
        Resident.objects.bulk_create([Resident(**row) for row in rows], batch_size=500)
        summary.residents = len(rows)

        for offset, fields in enumerate(notices(first_day=first_day, last_day=last_day)):
            Notice.objects.create(publish_from=now - timedelta(days=offset + 1), **fields)
            summary.notices += 1

        _book(summary=summary, seed=seed, today=today, now=now, vaccines=vaccines)
        _allocation(seed=seed, today=today, now=now)
        _staff(summary)
    return summary


def _book(*, summary: DemoSummary, seed: int, today: date, now: datetime, vaccines: dict) -> None:
    """Doses given before (imported), and reservations through the booking service, as a city would
    have a week after opening. The demo logins get none."""
    rng = random.Random(f"yoyaku-demo-bookings-{seed}")
    logins = {login.ticket_number for login in DEMO_LOGINS}
    people = list(
        Resident.objects.filter(active=True).exclude(ticket_number__in=logins).order_by("ticket_number")
    )
    slots = list(Slot.objects.select_related("venue", "vaccine").order_by("starts_at", "venue__code", "vaccine__code"))
    free = {slot.pk: slot.capacity for slot in slots}
    system = services.Actor.system()
    rng.shuffle(people)

    days = {slot.pk: timezone.localdate(slot.starts_at) for slot in slots}

    def slot_day(slot: Slot) -> date:
        return days[slot.pk]

    def pick(candidates: list[Slot]) -> Slot | None:
        candidates = [slot for slot in candidates if free[slot.pk] > 0]
        return rng.choice(candidates) if candidates else None

    def book(resident: Resident, dose: int, candidates: list[Slot]) -> Reservation | None:
        slot = pick(candidates)
        if slot is None:
            return None
        booker = {}
        if rules.age_on(resident.birth_date, today) >= 80 and rng.random() < 0.5:
            relation, sex = rng.choice(_RELATIONS)
            given, _kana = rng.choice(GIVEN_NAMES[("mid", sex)])
            booker = {"booker_name": f"{resident.family_name} {given}", "booker_relation": relation,
                      "booker_phone": f"0195-00-{rng.randrange(10000):04d}"}
        try:
            reservation = services.reservation_book(
                actor=system, resident=resident, slot_id=slot.pk, dose_number=dose,
                recipient_phone=resident.phone, email=resident.email, wants_move_up=rng.random() < 0.3,
                channel=Reservation.Channel.WEB if rng.random() < 0.7 else Reservation.Channel.PHONE,
                now=now, **booker,
            )
        except BookingError:
            return None
        free[slot.pk] -= 1
        summary.reservations += 1
        return reservation

    def allowed(resident: Resident, slot: Slot) -> bool:
        return rules.age_on(resident.birth_date, slot_day(slot)) >= slot.vaccine.min_age

    count = len(people)
    imported = people[: count // 40]
    first_timers = people[count // 40: count // 40 + count // 12]

    # Dose 1 given before the demo starts (elsewhere, or at the city's first sessions), imported.
    records = []
    for resident in imported:
        code = rng.choice(["PFZ", "PFZ", "MDN"]) if rules.age_on(resident.birth_date, today) >= 18 else "PFZ"
        records.append(DoseRecord(
            resident=resident, dose_number=1, vaccine=vaccines[code],
            given_on=today - timedelta(days=rng.randint(14, 30)),
            lot=f"DEMO{rng.randrange(1000, 9999)}", place="県の大規模接種会場", source=DoseRecord.Source.IMPORT,
        ))
    DoseRecord.objects.bulk_create(records)
    summary.imported_doses = len(records)
    for record in records:
        vaccine = vaccines[record.vaccine.code]
        earliest = record.given_on + timedelta(days=vaccine.next_dose_min_days)
        if rng.random() < 0.8:
            book(record.resident, 2, [s for s in slots if s.vaccine_id == vaccine.pk and slot_day(s) >= earliest])

    # Dose 1 booked; some of those booked early enough also have dose 2 booked.
    booked_first = []
    for resident in first_timers:
        reservation = book(resident, 1, [s for s in slots if allowed(resident, s)])
        if reservation is not None:
            booked_first.append(reservation)
    for reservation in booked_first:
        vaccine = reservation.slot.vaccine
        earliest = slot_day(reservation.slot) + timedelta(days=vaccine.next_dose_min_days)
        later = [s for s in slots if s.vaccine_id == vaccine.pk and slot_day(s) >= earliest]
        if later and rng.random() < 0.6:
            book(reservation.resident, 2, later)

    # A few cancellations (dose 1 only, with no dose 2 behind it): the move-up list has work.
    with_dose_2 = set(Reservation.objects.filter(dose_number=2).values_list("resident_id", flat=True))
    cancellable = [r for r in booked_first if r.resident_id not in with_dose_2]
    for reservation in rng.sample(cancellable, min(len(cancellable), max(1, count // 100))):
        services.reservation_cancel(actor=system, reservation=reservation, now=now)
        summary.cancelled += 1


def _allocation(*, seed: int, today: date, now: datetime, registrations: int = 150) -> None:
    """An allocation-mode window (docs/allocation.md) whose registration period is open, with residents' wishes
    registered, so that `manage.py allocate --all --dry-run --seed 1` has work right after `make run`."""
    rng = random.Random(f"yoyaku-demo-allocation-{seed}")
    tz = timezone.get_current_timezone()
    system = services.Actor.system()
    window = services.allocation_window_open(
        actor=system, doses=[1, 2], label="抽選（デモ）", now=now,
        opens_at=timezone.make_aware(datetime.combine(today, time(0, 0)), tz),
        closes_at=timezone.make_aware(datetime.combine(today + timedelta(days=3), time(17, 0)), tz),
        first_day=today + timedelta(days=14), last_day=today + timedelta(days=WEEKS * 7), confirm_hours=48,
        priorities=[{"label": "65歳以上", "born_on_or_before": rules.latest_birth_date_for_age(65, today)}],
    )
    venues = list(Venue.objects.order_by("code"))
    areas = sorted({v.area for v in venues if v.area})
    logins = {login.ticket_number for login in DEMO_LOGINS}
    people = list(Resident.objects.filter(active=True, reservations__isnull=True, doses__isnull=True)
                  .exclude(ticket_number__in=logins).order_by("ticket_number"))
    for resident in rng.sample(people, min(registrations, len(people))):
        wishes = {}
        kind = rng.random()
        if kind < 0.4:
            wishes["venue_ids"] = [v.pk for v in rng.sample(venues, rng.randint(1, 3))]
        elif kind < 0.7 and areas:
            wishes["areas"] = rng.sample(areas, 1)
        if rng.random() < 0.3:
            wishes["weekdays"] = rng.sample(range(7), rng.randint(2, 5))
        try:
            services.allocation_register(actor=system, window=window, resident=resident, email=resident.email,
                                         wants_move_up=rng.random() < 0.3, now=now, **wishes)
        except BookingError:
            continue


def _staff(summary: DemoSummary) -> None:
    User = get_user_model()
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in STAFF_GROUPS}
    for spec in STAFF:
        user = User.objects.filter(username=spec.username).first()
        if user is not None:
            summary.staff_existing.append(spec.username)  # never reset someone's password
        else:
            user = User(username=spec.username, is_staff=True, is_superuser=spec.superuser,
                        last_name=spec.last_name, first_name=spec.first_name)
            user.set_password(spec.password)
            user.save()
            summary.staff_created.append(spec.username)
        user.groups.add(groups[spec.group])


# --- What to print --------------------------------------------------------------------------------


def login_lines(*, today: date | None = None, existing_staff: frozenset[str] = frozenset(),
                site_url: str | None = None, staff_url: str = "", staff_keys: dict[str, str] | None = None,
                ) -> list[str]:
    """How to log in: the demo residents and staff users that exist in the database. `site_url` defaults to
    the site's setting; `staff_url` is where staff log in (the console says); `staff_keys`, the demo staff's
    authenticator keys (base32) where the demo enrolled one."""
    today = today or timezone.localdate()
    site_url = (site_url or settings.YOYAKU["SITE_URL"]).rstrip("/") + "/"
    staff_keys = staff_keys or {}
    lines = [f"Resident site / 住民向けサイト: {site_url}"]
    tickets = [login.ticket_number for login in DEMO_LOGINS]
    found = {r.ticket_number: r for r in Resident.objects.filter(ticket_number__in=tickets)}
    if found:
        lines.append(f"  {'ticket number':<15} {'password (birth date)':<22} {'age':>3}")
        for login in DEMO_LOGINS:
            resident = found.get(login.ticket_number)
            if resident is None:
                continue
            age = rules.age_on(resident.birth_date, today)
            password = f"{resident.birth_date:%Y%m%d}"
            lines.append(f"  {resident.ticket_number:<15} {password:<22} {age:>3}   ({login.note})")
    else:
        lines.append("  (no demo residents in this database)")
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=[s.username for s in STAFF])}
    lines.append(f"Staff console / 職員: {staff_url or site_url}")
    if staff_keys:
        lines.append(f"  {'user':<10} {'password':<20} {'authenticator key (TOTP)':<33} role")
    for spec in STAFF:
        if spec.username not in users:
            continue
        password = "(existing user: password unchanged)" if spec.username in existing_staff else spec.password
        role = f"{spec.group}, superuser" if spec.superuser else spec.group
        key = f"{staff_keys.get(spec.username, '-'):<33} " if staff_keys else ""
        lines.append(f"  {spec.username:<10} {password:<20} {key}({role})")
    return lines
