"""Every assumption of the simulated month, with its default (the default scenario) and its meaning.

`manage.py simulate_month --help` lists them as options (underscores become dashes)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Parameters:
    seed: int = 1
    # The city: the demo city's 10 venues and 2 vaccines (Pfizer 6 doses a vial, Moderna 10), `weeks` of
    # slots (about 860 places a week). More residents than places: demand exceeds supply, as in 2021.
    residents: int = 6000
    weeks: int = 4
    # Booking windows by age: 65 and over open `elder_lead_days` before the first slot day, the rest
    # `lead_days` before. Residents first try within `rush_share` of the first 2 hours, else after an
    # exponential delay of mean `mean_delay_days`.
    elder_lead_days: int = 14
    lead_days: int = 7
    rush_share: float = 0.4
    mean_delay_days: float = 2.0
    # Residents without a place look at the site again: this share of them per day (7:00-23:00).
    revisit_per_day: float = 0.1
    email_share: float = 0.9  # give an email address when booking (offers are emails)
    wants_move_up_share: float = 0.3  # tick "I would like an earlier date"
    # 10 % cancel late, spread evenly over the last 7 days before the appointment; `same_day_share` of
    # them on the day itself (from 7:00 until 30 minutes before). 3 % do not come.
    late_cancel_share: float = 0.10
    same_day_share: float = 0.25
    no_show_share: float = 0.03
    # Emailed offers: read after a log-normal delay (median, spread sigma), accepted by this share of readers.
    offer_read_median_minutes: float = 30.0
    offer_read_sigma: float = 1.0
    offer_accept_share: float = 0.6
    # The call centre (weekdays 9:00-17:00): calls per hour for the places of the next 3 days, the share
    # of calls answered and of answered calls accepted.
    call_centre_calls_per_hour: int = 8
    phone_answer_share: float = 0.5
    phone_accept_share: float = 0.7
    # Residents who found no place and put their name down: on the waiting list (any venue, called by the
    # call centre before the day) or on a venue's same-day standby list (can come within the hour).
    waiting_list_share: float = 0.5
    standby_share: float = 0.15
    standby_answer_share: float = 0.6
    # On the day, the venue staff call down the list the console shows: the venue's standby list, then the
    # waiting list (any venue), of whom this share answer and can come within the hour.
    same_day_waiting_list: bool = True
    waiting_list_same_day_share: float = 0.2
    # The mechanisms (each --no-... turns one off; the "before" figures in bench/README.md).
    move_up_offers: bool = True
    call_centre: bool = True
    waiting_list: bool = True
    waiting_list_offers: bool = True  # places the move-up list leaves unoffered are emailed to the waiting list
    short_windows: bool = True
    standby: bool = True
    vial_top_up: bool = True
    # Offer windows: fixed MOVE_UP_OFFER_MINUTES (60), or with short_windows this share of the time left,
    # 15 minutes at least; offers stop MOVE_UP_OFFER_MIN_HOURS before the slot (3, or 1 with short windows).
    window_share: float = 0.1
    short_min_hours: float = 1.0

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def describe(self) -> str:
        return " ".join(f"{name}={getattr(self, name)}" for name in self.names())
