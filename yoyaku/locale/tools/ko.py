# Korean (ko) translations of the English source strings, following ja.py for meaning and tone: plain, polite
# (-해 주세요 / -습니다) and short, for elderly residents. "Dose N" is N차; the city's labels are 접종권 번호 and
# 예약 ID. Japanese words quoted on purpose in the source (宛名文書, お薬手帳) stay, with a translation in parentheses.
T = {
    # --- domain errors
    "Booking": "예약",
    "Call centre: %(phones)s (%(hours)s)": "예약 상담 센터: %(phones)s (%(hours)s)",
    "This could not be done.": "이 작업을 할 수 없습니다.",
    "Sorry, this time has just been filled. Please choose another time.":
        "죄송합니다. 이 시간은 방금 마감되었습니다. 다른 시간을 선택해 주세요.",
    "This time cannot be booked. Please choose another time.":
        "이 시간은 예약할 수 없습니다. 다른 시간을 선택해 주세요.",
    "Booking for this dose is not open to you yet.": "이 차수의 예약은 아직 접수가 시작되지 않았습니다.",
    "Booking for this dose is not open to your age group yet. The city will announce when it opens.":
        "이 차수의 예약은 아직 귀하의 연령대에는 접수하지 않습니다. 접수 시작은 시에서 알려 드립니다.",
    "Booking for this dose has closed.": "이 차수의 예약 접수는 종료되었습니다.",
    "Please book the previous dose first.": "먼저 이전 차수를 예약해 주세요.",
    "Our records show this dose has already been given.": "이 차수는 이미 접종한 기록이 있습니다.",
    "This dose is not offered.": "이 차수의 접종은 실시하지 않습니다.",
    "You cannot book this dose now.": "이 차수는 현재 예약할 수 없습니다.",
    "You can book from %(when)s.": "%(when)s부터 예약할 수 있습니다.",
    "This is too soon after your previous dose. The first date you can choose is %(date)s.":
        "이전 접종과의 간격이 부족합니다. 선택할 수 있는 가장 빠른 날짜는 %(date)s입니다.",
    "This is too close to your next dose. The last date you can choose is %(date)s.":
        "다음 차수 접종일과 너무 가깝습니다. 선택할 수 있는 가장 늦은 날짜는 %(date)s입니다.",
    "This date does not keep the interval required between doses. Please choose another date.":
        "이 날짜는 접종 간격이 부족합니다. 다른 날짜를 선택해 주세요.",
    "This dose must be the same vaccine as your previous dose (%(vaccine)s).":
        "이전과 같은 백신(%(vaccine)s)으로 예약해 주세요.",
    "This vaccine is for people aged %(age)d and over on the day.":
        "이 백신은 접종일에 만 %(age)d세 이상인 분이 대상입니다.",
    "You already have a reservation for this dose (reservation ID %(code)s).":
        "이 차수는 이미 예약되어 있습니다(예약 ID %(code)s).",
    "You already have a reservation for this dose.": "이 차수는 이미 예약되어 있습니다.",
    "Changes and cancellations on the web are no longer possible for this reservation. Please call us.":
        "이 예약은 인터넷으로 변경·취소할 수 있는 기한이 지났습니다. 전화로 연락해 주세요.",
    "This ticket number can no longer be used. Please call us.":
        "이 접종권 번호는 현재 사용할 수 없습니다. 전화로 연락해 주세요.",
    "This reservation is no longer active.": "이 예약은 유효하지 않습니다.",
    "Please give a reason: staff changes are recorded with their reason.":
        "사유를 입력해 주세요. 직원이 변경한 내용은 사유와 함께 기록됩니다.",
    "Capacity cannot be lower than the %(booked)d places already booked.":
        "정원을 이미 예약된 %(booked)d명보다 적게 할 수 없습니다.",
    # --- rules: input
    "Enter the 10-digit ticket number.": "10자리 접종권 번호를 입력해 주세요.",
    "The ticket number has only digits (0-9). Check for letters or other characters.":
        "접종권 번호는 숫자(0~9)로만 되어 있습니다. 문자나 기호가 들어가 있지 않은지 확인해 주세요.",
    "The ticket number has 10 digits; you entered %(count)d.":
        "접종권 번호는 10자리입니다. 입력하신 숫자는 %(count)d자리입니다.",
    "Check the year of birth: it is too far in the past.": "출생 연도를 확인해 주세요. 너무 오래된 연도입니다.",
    "The month must be between 1 and 12.": "월은 1부터 12 사이로 입력해 주세요.",
    "%(year)d/%(month)d/%(day)d is not a date in the calendar. Check the day.":
        "%(year)d년 %(month)d월 %(day)d일은 없는 날짜입니다. 날짜를 확인해 주세요.",
    "Enter the date of birth, for example 19450101.": "생년월일을 입력해 주세요(예: 19450101).",
    "The year of the era starts at 1 (元年).": "일본 연호의 연도는 1(元年, 원년)부터 시작합니다.",
    "%(era)s %(year)d/%(month)s/%(day)s is not a date of that era. Check the era and the year.":
        "%(era)s %(year)d년 %(month)s월 %(day)s일은 해당 연호의 기간에 없는 날짜입니다. 연호와 연도를 확인해 주세요.",
    "Enter the date of birth as 8 digits: the year in the Western calendar (4 digits), month (2) and day (2), "
    "for example 19450101.":
        "생년월일은 8자리로 입력해 주세요. 서기 연도(4자리), 월(2자리), 일(2자리)입니다(예: 19450101).",
    "We could not read this date. Enter it as 8 digits, for example 19450101.":
        "이 날짜를 읽을 수 없습니다. 8자리로 입력해 주세요(예: 19450101).",
    "The date of birth cannot be in the future.": "생년월일에 미래의 날짜는 입력할 수 없습니다.",
    "A reservation ID has 8 letters and digits.": "예약 ID는 영문자와 숫자 8자리입니다.",
    # --- notify
    "Notifications": "알림",
    "booking confirmation": "예약 확인",
    "change": "변경",
    "cancellation": "취소",
    "reminder": "전날 알림",
    "pending": "발송 대기",
    "sent": "발송 완료",
    "failed": "실패",
    "skipped (no address)": "미발송(주소 없음)",
    "notification": "알림",
    "notifications": "알림",
    # --- models
    "ticket number": "접종권 번호",
    "birth date": "생년월일",
    "family name": "성",
    "given name": "이름",
    "family name (kana)": "성(가나)",
    "given name (kana)": "이름(가나)",
    "phone": "전화번호",
    "email": "이메일",
    "postal code": "우편번호",
    "address": "주소",
    "groups": "그룹",
    "active": "유효",
    "False once moved away or deceased.": "전출 또는 사망한 경우 무효로 합니다.",
    "language": "언어",
    "resident": "주민",
    "residents": "주민",
    "code": "코드",
    "name": "명칭",
    "minimum age": "최소 연령",
    "minimum days to the next dose": "다음 차수까지 최소 일수",
    "doses per vial": "바이알당 접종 횟수",
    "vaccine": "백신",
    "vaccines": "백신",
    "clinic": "의료기관",
    "group site": "집단 접종 장소",
    "kind": "종류",
    "area": "지역",
    "access notes": "교통·주의 사항",
    "venue": "접종 장소",
    "venues": "접종 장소",
    "starts at": "시작",
    "ends at": "종료",
    "capacity": "정원",
    "booked": "예약 완료",
    "dose numbers": "차수",
    "bookable from": "예약 접수 시작",
    "closed": "중지",
    "slot": "예약 시간대",
    "slots": "예약 시간대",
    "born on or before": "이 날짜 이전(당일 포함) 출생",
    "born after": "이 날짜 이후 출생",
    "group": "그룹",
    "Empty: everyone.": "비워 두면 모든 분이 대상입니다.",
    "opens at": "접수 시작",
    "closes at": "접수 종료",
    "label": "명칭",
    "booking window": "예약 접수 기간",
    "booking windows": "예약 접수 기간",
    "cancelled": "취소됨",
    "vaccinated": "접종 완료",
    "no-show": "미방문",
    "web": "인터넷",
    "console": "관리 화면",
    "reservation ID": "예약 ID",
    "dose number": "차수",
    "status": "상태",
    "recipient's phone": "접종받는 분의 전화번호",
    "booker's name": "예약자 이름",
    "booker's relation": "예약자와의 관계",
    "booker's phone": "예약자 전화번호",
    "wants an earlier date": "앞당김 희망",
    "channel": "접수 방법",
    "created at": "작성 일시",
    "updated at": "수정 일시",
    "cancelled at": "취소 일시",
    "reservation": "예약",
    "reservations": "예약",
    "check-in": "현장 접수",
    "import": "가져오기",
    "entered by staff": "직원 입력",
    "given on": "접종일",
    "lot number": "로트 번호",
    "place": "접종 장소",
    "source": "기록 출처",
    "dose record": "접종 기록",
    "dose records": "접종 기록",
    "title (Japanese)": "제목(일본어)",
    "body (Japanese)": "본문(일본어)",
    "title (English)": "제목(영어)",
    "body (English)": "본문(영어)",
    "title (Chinese)": "제목(중국어)",
    "body (Chinese)": "본문(중국어)",
    "title (Korean)": "제목(한국어)",
    "body (Korean)": "본문(한국어)",
    "publish from": "게시 시작",
    "publish until": "게시 종료",
    "notice": "공지",
    "notices": "공지",
    "staff": "직원",
    "system": "시스템",
    "time": "일시",
    "actor kind": "작업자 종류",
    "staff member": "직원",
    "acting resident": "작업한 주민",
    "action": "작업",
    "object type": "대상 종류",
    "object id": "대상 ID",
    "reason": "사유",
    "details": "상세",
    "client address": "접속 주소",
    "audit event": "작업 기록",
    "audit events": "작업 기록",
    "phone (call centre)": "전화(예약 상담 센터)",
    # --- resident site
    "Resident site": "주민용 사이트",
    "Small": "작게",
    "Medium": "보통",
    "Large": "크게",
    "Ticket number": "접종권 번호",
    "The 10-digit number on the document the city sent you.": "시에서 보낸 서류에 적힌 10자리 번호입니다.",
    "Password": "비밀번호",
    "Your date of birth as 8 digits, year in the Western calendar: 19450101 for 1 January 1945.":
        "접종받는 분의 생년월일 8자리입니다. 연도는 서기로 입력해 주세요(1945년 1월 1일이면 19450101).",
    "Enter a phone number of 10 or 11 digits starting with 0, for example 0195-23-3111.":
        "0으로 시작하는 10자리 또는 11자리 전화번호를 입력해 주세요(예: 0195-23-3111).",
    "Time": "시간",
    "Choose a time.": "시간을 선택해 주세요.",
    "This time is no longer available. Choose another time.":
        "이 시간은 이제 예약할 수 없습니다. 다른 시간을 선택해 주세요.",
    "%(start)s–%(end)s %(venue)s (%(vaccine)s, %(free)d left)":
        "%(start)s~%(end)s %(venue)s (%(vaccine)s, 남은 자리 %(free)d명)",
    "Who is making this booking?": "예약하시는 분은 누구입니까?",
    "The person receiving the vaccination": "접종받는 본인",
    "Someone else, on their behalf (family, carer)": "본인을 대신하여 예약하는 분(가족, 돌보는 분 등)",
    "Choose who is making this booking.": "예약하시는 분을 선택해 주세요.",
    "Booker's name": "예약자 이름",
    "Only if you are booking for someone else.": "본인이 아닌 분이 예약하는 경우에만 입력해 주세요.",
    "Relation to the person": "접종받는 분과의 관계",
    "For example: son, daughter, carer.": "예: 아들, 딸, 돌보는 분",
    "Booker's phone number": "예약자 전화번호",
    "A number where we can reach you during the day.": "낮에 연락이 가능한 번호입니다.",
    "Phone number of the person receiving the vaccination": "접종받는 분의 전화번호",
    "We call this number if the appointment has to change.": "예약 변경이 필요할 때 이 번호로 전화드립니다.",
    "Enter a phone number.": "전화번호를 입력해 주세요.",
    "Email address": "이메일 주소",
    "We send the confirmation here. Leave empty for no email.":
        "예약 확인 메일을 보내 드립니다. 필요 없으시면 비워 두세요.",
    "Would you like an earlier date?": "접종일을 앞당기기를 원하십니까?",
    "If someone cancels an earlier appointment, the city may offer you an earlier date, possibly on the same day.":
        "더 이른 일시에 취소가 생기면 시에서 앞당긴 일정을 안내해 드릴 수 있습니다(당일에 안내할 수도 있습니다).",
    "Yes, I would like an earlier date": "희망합니다",
    "No, I do not": "희망하지 않습니다",
    "Choose whether you would like an earlier date.": "접종일 앞당김을 희망하는지 선택해 주세요.",
    "Enter an email address like name@example.jp, or leave it empty.":
        "name@example.jp와 같은 형식으로 이메일 주소를 입력하거나 비워 두세요.",
    "Enter your name (the person making the booking).": "예약하시는 분의 이름을 입력해 주세요.",
    "Enter your relation to the person receiving the vaccination.": "접종받는 분과의 관계를 입력해 주세요.",
    "Enter your phone number (the person making the booking).": "예약하시는 분의 전화번호를 입력해 주세요.",
    "%(n)d minutes": "%(n)d분",
    "%(n)d seconds": "%(n)d초",
    "Login with this ticket number is paused after several failed attempts. Try again in %(wait)s, or call us.":
        "로그인에 여러 번 실패하여 이 접종권 번호의 로그인을 일시 중지했습니다. "
        "%(wait)s 후에 다시 시도하시거나 전화로 연락해 주세요.",
    "Too many failed attempts from your connection. Try again in %(wait)s, or call us.":
        "사용 중인 접속에서 로그인 실패가 너무 많습니다. %(wait)s 후에 다시 시도하시거나 전화로 연락해 주세요.",
    "The ticket number or the password (date of birth) is not right. Check both and try again.":
        "접종권 번호 또는 비밀번호(생년월일)가 올바르지 않습니다. 둘 다 확인하고 다시 입력해 주세요.",
    "Your reservation has been changed.": "예약을 변경했습니다.",
    "Your reservation has been cancelled.": "예약을 취소했습니다.",
    "Vaccination (dose %(dose)d)": "백신 접종(%(dose)d차)",
    "Reservation ID: %(code)s": "예약 ID: %(code)s",
    "Page not found": "페이지를 찾을 수 없습니다",
    "If you typed the address, check it. If you followed a link, go back to the top page.":
        "주소를 직접 입력하셨다면 확인해 주세요. 링크로 들어오셨다면 첫 페이지로 돌아가 주세요.",
    "Go to the top page": "첫 페이지로",
    "Error:": "오류:",
    "vaccination booking": "백신 접종 예약",
    "Book, change or cancel your vaccination appointment with %(city_name)s online, in Japanese, English, Chinese or Korean.": "%(city_name)s의 백신 접종 예약·변경·취소를 인터넷으로 할 수 있습니다. 일본어, 영어, 중국어, 한국어를 지원합니다.",
    "Skip to main content": "본문으로 건너뛰기",
    "Text size": "글자 크기",
    "Log out": "로그아웃",
    "Main": "주 메뉴",
    "Top page": "첫 페이지",
    "Reservation history": "예약 내역",
    "Vaccination booking call centre": "백신 접종 예약 상담 센터",
    "There is a problem": "입력 내용을 확인해 주세요",
    "*Required": "※필수",
    "Optional": "선택",
    "Change the date and time": "일시 변경",
    "Vaccination booking page": "백신 접종 예약 페이지",
    "Dose %(n)s, reservation ID %(code)s.": "%(n)s차, 예약 ID %(code)s.",
    "Now:": "현재 예약:",
    "Booking dose %(n)s.": "%(n)s차 접종을 예약합니다.",
    "(1) Information on the person receiving the vaccination": "(1) 접종받는 분의 정보",
    "Name": "이름",
    "Date of birth": "생년월일",
    "If this is not right, call the call centre before booking.":
        "내용이 다르면 예약하기 전에 예약 상담 센터로 전화해 주세요.",
    "Choose the date and time from the calendar": "달력에서 일시 선택",
    "There are no free appointments you can book on the web at the moment. Please look again later or call the "
    "call centre.":
        "현재 인터넷으로 예약할 수 있는 빈자리가 없습니다. 나중에 다시 확인하시거나 예약 상담 센터로 전화해 주세요.",
    "Venue (medical institution)": "접종 장소(의료기관)",
    "All venues": "모든 장소",
    "Show this venue's calendar": "이 장소의 예약 현황 보기",
    "Choose a day: ○ places free, △ a few left, × full.": "날짜를 선택해 주세요. ○ 여유 있음, △ 얼마 남지 않음, × 마감",
    "Calendar of days with free places": "빈자리가 있는 날짜 달력",
    "places free": "여유 있음",
    "a few left": "얼마 남지 않음",
    "full": "마감",
    "Free times on %(date)s": "%(date)s 예약 가능한 시간",
    "(3) The person making the booking": "(3) 예약자 정보",
    "(4) Phone number and email": "(4) 전화번호·이메일",
    "(5) Would you like an earlier date?": "(5) 접종일 앞당김 희망 여부",
    "Go on to check your answers": "입력 내용 확인으로",
    "Cancel this reservation?": "이 예약을 취소하시겠습니까?",
    "If you cancel, your place is offered to someone else. An opened vial that is not used is wasted, so thank "
    "you for telling us early.":
        "취소하신 자리는 다른 분께 안내합니다. 개봉한 백신은 사용하지 않으면 폐기되므로 가능한 한 빨리 알려 주세요.",
    "Yes": "예",
    "No, keep the reservation": "아니요(예약 유지)",
    "Check your answers": "내용 확인",
    "Your reservation has not been changed yet.": "아직 예약이 변경되지 않았습니다.",
    "Your booking is not made yet.": "아직 예약이 완료되지 않았습니다.",
    "Check the new date and time, then press the button at the bottom.": "새 일시를 확인한 후 아래 버튼을 눌러 주세요.",
    "Check the details, then press the button at the bottom to book.":
        "내용을 확인하고 아래 버튼을 누르면 예약이 완료됩니다.",
    "Dose": "차수",
    "Dose %(n)s": "%(n)s차",
    "Date and time": "일시",
    "Change": "변경",
    "date and time": "일시",
    "Venue": "접종 장소",
    "Vaccine": "백신",
    "Booked by": "예약자",
    "booker": "예약자",
    "Phone number": "전화번호",
    "phone number": "전화번호",
    "None": "없음",
    "email address": "이메일 주소",
    "Earlier date": "접종일 앞당김",
    "earlier date": "접종일 앞당김",
    "Change the reservation": "예약 변경하기",
    "Register the reservation": "예약 등록하기",
    "Reservation details": "예약 상세",
    "You can change or cancel on the web until %(deadline)s.": "%(deadline)s까지 인터넷으로 변경·취소할 수 있습니다.",
    "Edit": "수정",
    "Cancel": "취소",
    "Add to calendar (.ics)": "캘린더에 추가(.ics)",
    "No": "아니요",
    "Changes and cancellations on the web are no longer possible for this reservation.":
        "이 예약은 인터넷으로 변경·취소할 수 있는 기한이 지났습니다.",
    "Please call the vaccination booking call centre:": "백신 접종 예약 상담 센터로 전화해 주세요:",
    "Back to the reservation history": "예약 내역으로 돌아가기",
    "Your reservation has been received.": "예약이 접수되었습니다.",
    "Reservation ID": "예약 ID",
    "Keep your reservation ID: you need it to change or cancel, and when you call us.":
        "예약 ID를 메모해 두세요. 변경·취소하거나 전화로 문의하실 때 필요합니다.",
    "We are sending a confirmation to your email address.": "입력하신 이메일 주소로 예약 확인 메일을 보내 드립니다.",
    "What to bring": "당일 준비물",
    "The document the city sent you (宛名文書 / vaccination ticket)": "시에서 보낸 宛名文書(안내 서류/접종권)",
    "Proof of identity (for example a driving licence, health insurance card or My Number card)":
        "신분증(운전면허증, 건강보험증, 마이넘버 카드 등)",
    "Your medication notebook (お薬手帳), if you have one": "お薬手帳(약 수첩), 가지고 계신 분",
    "To change or cancel": "변경·취소 안내",
    "Use the reservation history on the top page until %(deadline)s days before the appointment. After that, "
    "please call the call centre.":
        "접종일 %(deadline)s일 전까지는 첫 페이지의 예약 내역에서 변경·취소할 수 있습니다. "
        "그 이후에는 예약 상담 센터로 전화해 주세요.",
    "Book the second dose": "2차 예약하기",
    "Back to the top page": "첫 페이지로 돌아가기",
    "Your reservations, cancelled ones included": "나의 예약(취소한 예약 포함)",
    "Status": "상태",
    "Details": "상세 보기",
    "You have no reservations yet.": "아직 예약이 없습니다.",
    "Log in": "로그인",
    "Have the document the city sent you (宛名文書) at hand: the ticket number is on it.":
        "시에서 보낸 宛名文書(안내 서류)를 준비해 주세요. 접종권 번호가 적혀 있습니다.",
    "If you cannot log in, please check": "로그인할 수 없는 경우 확인해 주세요",
    "Is the ticket number entered correctly? (10 digits)": "접종권 번호를 바르게 입력하셨습니까? (10자리)",
    "Is the date of birth in the password entered correctly? (year in the Western calendar: Shōwa 20 is 1945)":
        "비밀번호인 생년월일을 바르게 입력하셨습니까? (연도는 서기: 쇼와 20년은 1945년)",
    "Full-width digits, spaces and hyphens are fine: we convert them for you.":
        "전각 숫자, 공백, 하이픈이 들어가도 자동으로 변환되므로 괜찮습니다.",
    "Still stuck? Call the vaccination booking call centre:":
        "그래도 로그인할 수 없으면 백신 접종 예약 상담 센터로 전화해 주세요:",
    "Phone": "전화",
    "Logged in for %(name)s.": "%(name)s 님으로 로그인되어 있습니다.",
    "Notices from the city": "시 공지사항",
    "Your vaccinations": "나의 접종 예약",
    "dose %(n)s": "%(n)s차",
    "You can book this dose now.": "이 차수는 지금 예약할 수 있습니다.",
    "The first date you can choose is %(date)s.": "선택할 수 있는 가장 빠른 날짜는 %(date)s입니다.",
    "Book": "예약하기",
    "to see, change or cancel a reservation": "예약 확인·변경·취소는 여기에서",
    "Narrow down vaccination venues": "접종 장소 찾기",
    "Area": "지역",
    "All areas": "모든 지역",
    "All vaccines": "모든 백신",
    "Show": "보기",
    "○ places free, △ a few left, × full, – no appointments.": "○ 여유 있음, △ 얼마 남지 않음, × 마감, – 접종 없음",
    "Availability by venue and day": "장소·날짜별 예약 현황",
    "no appointments": "접종 없음",
    "No venues match.": "조건에 맞는 장소가 없습니다.",
    "Previous week": "이전 주",
    "Next week": "다음 주",
    # --- CSV imports and management commands (staff and the city's IT staff)
    "This is a spreadsheet file, not CSV. Save it as CSV (UTF-8 or Shift_JIS) first.":
        "이 파일은 CSV가 아니라 스프레드시트 파일입니다. 먼저 CSV(UTF-8 또는 Shift_JIS)로 저장해 주세요.",
    "The file is neither UTF-8 nor Shift_JIS (CP932) text. Save it as CSV in one of these encodings and try again.":
        "이 파일은 UTF-8 또는 Shift_JIS(CP932) 텍스트가 아닙니다. "
        "둘 중 하나의 인코딩으로 CSV를 저장한 후 다시 시도해 주세요.",
    "Too long: at most %(max)d characters, this has %(count)d.": "너무 깁니다. 최대 %(max)d자인데 %(count)d자입니다.",
    "A value is required.": "값을 입력해야 합니다.",
    "Enter 1 (yes) or 0 (no).": "1(예) 또는 0(아니요)을 입력해 주세요.",
    "Enter a whole number from %(min)d to %(max)d.": "%(min)d부터 %(max)d까지의 정수를 입력해 주세요.",
    "Use only letters A-Z, digits, '.', '_' and '-'.": "영문자 A-Z, 숫자, '.', '_', '-'만 사용할 수 있습니다.",
    "Enter one of: %(choices)s.": "다음 중 하나를 입력해 주세요: %(choices)s.",
    "Unknown vaccine code %(codes)s: import it with import_vaccines first.":
        "알 수 없는 백신 코드 %(codes)s: 먼저 import_vaccines로 가져와 주세요.",
    "Group codes use only lower-case letters a-z, digits, '_' and '-', separated by '|' or spaces, for example "
    "medical|care-home.":
        "그룹 코드는 소문자 a-z, 숫자, '_', '-'만 사용하며 '|' 또는 공백으로 구분합니다(예: medical|care-home).",
    "line %(line)d: %(column)s: %(message)s": "%(line)d행: %(column)s: %(message)s",
    "line %(line)d: %(message)s": "%(line)d행: %(message)s",
    "Missing columns: %(columns)s.": "누락된 열: %(columns)s.",
    "Unknown columns: %(columns)s. Expected: %(expected)s.": "알 수 없는 열: %(columns)s. 필요한 열: %(expected)s.",
    "Columns given twice: %(columns)s.": "중복된 열: %(columns)s.",
    "line 1: the header is not valid CSV (%(error)s).": "1행: 헤더가 올바른 CSV가 아닙니다(%(error)s).",
    "The file is empty: the first line must be the header: %(columns)s.":
        "파일이 비어 있습니다. 첫 줄은 헤더여야 합니다: %(columns)s.",
    "Not valid CSV (%(error)s).": "올바른 CSV가 아닙니다(%(error)s).",
    "This row has %(count)d values; the header has %(expected)d.":
        "이 행의 값은 %(count)d개인데 헤더는 %(expected)d개입니다.",
    "The same %(column)s is also on line %(line)d.": "같은 %(column)s 값이 %(line)d행에도 있습니다.",
    "Cannot read %(file)s: %(error)s": "%(file)s을(를) 읽을 수 없습니다: %(error)s",
    "read as %(encoding)s": "%(encoding)s(으)로 읽음",
    "%(count)d bad row: nothing written.": "잘못된 행 %(count)d개: 아무것도 저장하지 않았습니다.",
    "%(things)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged":
        "%(things)s: %(created)d건 생성, %(updated)d건 갱신, %(unchanged)d건 변경 없음",
    "dry run: nothing written": "시험 실행: 아무것도 저장하지 않음",
    "The demo needs at least %(min)d residents.": "데모에는 주민이 최소 %(min)d명 필요합니다.",
    "The database already has data (residents, venues, vaccines or slots): the demo loads only into an empty "
    "database. Use a new database, or --if-empty to just print the logins.":
        "데이터베이스에 이미 데이터(주민, 장소, 백신 또는 예약 시간대)가 있습니다. 데모는 빈 데이터베이스에만 "
        "불러옵니다. 새 데이터베이스를 사용하거나, 로그인 정보만 표시하려면 --if-empty를 사용해 주세요.",
    "The database already has data (%(count)d residents): nothing loaded.":
        "데이터베이스에 이미 데이터(주민 %(count)d명)가 있습니다. 아무것도 불러오지 않았습니다.",
    "Demo city loaded in %(seconds).1f s: %(venues)d venues, %(slots)d slots, %(residents)d residents, "
    "%(reservations)d reservations (%(cancelled)d cancelled), %(doses)d earlier doses, %(notices)d notices.":
        "데모 도시를 %(seconds).1f초 만에 불러왔습니다: 장소 %(venues)d곳, 예약 시간대 %(slots)d개, "
        "주민 %(residents)d명, 예약 %(reservations)d건(취소 %(cancelled)d건), 이전 접종 %(doses)d건, "
        "공지 %(notices)d건.",
    "No venue has the code “%(code)s”.": "코드가 “%(code)s”인 장소가 없습니다.",
    "No vaccine has the code “%(code)s”.": "코드가 “%(code)s”인 백신이 없습니다.",
    "Note: %(venue)s is not active; its slots cannot be booked until it is.":
        "참고: %(venue)s은(는) 비활성 상태입니다. 활성화될 때까지 이 장소의 시간대는 예약할 수 없습니다.",
    "Note: %(vaccine)s is not active; its slots cannot be booked until it is.":
        "참고: %(vaccine)s은(는) 비활성 상태입니다. 활성화될 때까지 이 백신의 시간대는 예약할 수 없습니다.",
    "Note: %(count)d of these times are already past; they can never be booked.":
        "참고: 이 중 %(count)d개 시간은 이미 지났으므로 예약할 수 없습니다.",
    "%(venue)s / %(vaccine)s: %(first)s to %(last)s (%(zone)s).":
        "%(venue)s / %(vaccine)s: %(first)s ~ %(last)s (%(zone)s).",
    "Dry run, nothing written: %(created)d would be created, %(existed)d already exist.":
        "시험 실행, 아무것도 저장하지 않음: %(created)d개 생성 예정, %(existed)d개 이미 있음.",
    "%(created)d created, %(existed)d already existed.": "%(created)d개 생성, %(existed)d개는 이미 있었습니다.",
    "--min-age and --age-on go together: give both, for example --min-age 65 --age-on 2027-03-31.":
        "--min-age와 --age-on은 함께 지정해야 합니다(예: --min-age 65 --age-on 2027-03-31).",
    "Give either --min-age with --age-on or --born-on-or-before, not both.":
        "--min-age와 --age-on, 또는 --born-on-or-before 중 한쪽만 지정해 주세요.",
    "%(age)d is not an age.": "%(age)d은(는) 올바른 나이가 아닙니다.",
    "Aged %(age)d or over on %(day)s: born on or before %(date)s.":
        "%(day)s 기준 만 %(age)d세 이상: %(date)s 이전(당일 포함) 출생.",
    "born on or before %(date)s": "%(date)s 이전(당일 포함) 출생",
    "born after %(date)s": "%(date)s 이후 출생",
    "in group %(group)s": "그룹 %(group)s",
    "Booking window %(id)d opened: doses %(doses)s; for %(who)s; from %(from)s; until %(until)s (%(zone)s).":
        "예약 접수 기간 %(id)d을(를) 열었습니다: 차수 %(doses)s, 대상 %(who)s, 시작 %(from)s, "
        "종료 %(until)s (%(zone)s).",
    "residents %(conditions)s": "주민(%(conditions)s)",
    "everyone": "전원",
    "no end": "종료 없음",
    "The capacity must be at least 1; %(capacity)d is not possible.":
        "정원은 1 이상이어야 합니다. %(capacity)d(으)로 할 수 없습니다.",
    "Dose numbers go from 1 to %(max)d.": "차수는 1부터 %(max)d까지입니다.",
    "%(venue)s (%(venue_code)s) does not offer %(vaccine)s (%(vaccine_code)s). Add the vaccine to the venue first, "
    "or choose another venue.":
        "%(venue)s(%(venue_code)s)에서는 %(vaccine)s(%(vaccine_code)s)을(를) 접종하지 않습니다. "
        "먼저 장소에 백신을 추가하거나 다른 장소를 선택해 주세요.",
    "The window must close after it opens: %(until)s is not after %(from)s.":
        "접수 종료는 시작보다 뒤여야 합니다. %(until)s은(는) %(from)s보다 뒤가 아닙니다.",
    "Nobody is born after %(after)s and on or before %(before)s: “born after” must be earlier than “born on or "
    "before”.":
        "%(after)s 이후이면서 %(before)s 이전(당일 포함)에 태어난 사람은 없습니다. "
        "“이후 출생” 날짜는 “이전 출생” 날짜보다 빨라야 합니다.",
    "“%(group)s” is not a group code: use one word of letters, digits, “-” or “_”, for example care-home.":
        "“%(group)s”은(는) 그룹 코드가 아닙니다. 영문자, 숫자, “-”, “_”로 된 한 단어를 사용해 주세요(예: care-home).",
    "The label is too long (at most 100 characters).": "명칭이 너무 깁니다(최대 100자).",
    "The database refused a row (was the same data changed at the same time?): nothing written. Run the import "
    "again.":
        "데이터베이스가 행을 거부했습니다(같은 데이터가 동시에 변경되었을 수 있습니다). 아무것도 저장하지 않았습니다. "
        "다시 가져오기를 실행해 주세요.",
    "line %(line)d: vaccines: unknown vaccine code %(codes)s; nothing written.":
        "%(line)d행: vaccines: 알 수 없는 백신 코드 %(codes)s. 아무것도 저장하지 않았습니다.",
    "Give at least one weekday, for example mon,wed,fri.": "요일을 하나 이상 지정해 주세요(예: mon,wed,fri).",
    "“%(item)s” is not a weekday. Use mon, tue, wed, thu, fri, sat, sun, or a range such as mon-fri.":
        "“%(item)s”은(는) 요일이 아닙니다. mon, tue, wed, thu, fri, sat, sun 또는 mon-fri와 같은 범위를 사용해 주세요.",
    "The weekday range “%(item)s” runs backwards. Write it from Monday towards Sunday, for example mon-fri.":
        "요일 범위 “%(item)s”의 순서가 거꾸로입니다. 월요일에서 일요일 방향으로 써 주세요(예: mon-fri).",
    "“%(item)s” is not a time. Write times as HH:MM on the 24-hour clock, for example 09:30 or 14:00.":
        "“%(item)s”은(는) 시각이 아닙니다. 24시간제 HH:MM 형식으로 써 주세요(예: 09:30, 14:00).",
    "Give at least one start time, for example 09:00,09:30.": "시작 시각을 하나 이상 지정해 주세요(예: 09:00,09:30).",
    "“%(item)s” is not a date. Write dates as YYYY-MM-DD, for example 2026-04-01.":
        "“%(item)s”은(는) 날짜가 아닙니다. YYYY-MM-DD 형식으로 써 주세요(예: 2026-04-01).",
    "%(when)s does not exist in the time zone %(zone)s (the clocks skip it). Choose another time.":
        "%(zone)s 시간대에는 %(when)s이(가) 존재하지 않습니다(시계가 건너뜁니다). 다른 시각을 선택해 주세요.",
    "“%(item)s” is not a date and time. Write it as \"YYYY-MM-DD HH:MM\", for example \"2026-04-01 09:00\".":
        "“%(item)s”은(는) 일시가 아닙니다. \"YYYY-MM-DD HH:MM\" 형식으로 써 주세요(예: \"2026-04-01 09:00\").",
    "Give at least one dose number, for example 1,2.": "차수를 하나 이상 지정해 주세요(예: 1,2).",
    "“%(item)s” is not a dose number. Dose numbers go from 1 to %(max)d.":
        "“%(item)s”은(는) 차수가 아닙니다. 차수는 1부터 %(max)d까지입니다.",
    "The last day (%(last)s) is before the first day (%(first)s).":
        "마지막 날(%(last)s)이 첫날(%(first)s)보다 앞입니다.",
    "The range covers %(days)d days; at most %(max)d days can be generated at once. Check the years, or generate "
    "it in parts.":
        "범위가 %(days)d일입니다. 한 번에 최대 %(max)d일까지 생성할 수 있습니다. "
        "연도를 확인하거나 나누어서 생성해 주세요.",
    "A slot lasts from 1 to %(max)d minutes; %(minutes)d is not possible.":
        "예약 시간대의 길이는 1~%(max)d분입니다. %(minutes)d분은 불가능합니다.",
    "No day from %(first)s to %(last)s falls on the weekdays given (%(weekdays)s): no slot to generate.":
        "%(first)s부터 %(last)s까지 지정한 요일(%(weekdays)s)에 해당하는 날이 없습니다. 생성할 예약 시간대가 없습니다.",
    # --- staff console
    "Staff console": "직원용 관리 화면",
    "staff profile": "직원 프로필",
    "staff profiles": "직원 프로필",
    "User name": "사용자 이름",
    "6-digit code from your authenticator app": "인증 앱에 표시된 6자리 코드",
    "Enter the 6 digits your authenticator app shows.": "인증 앱에 표시된 6자리 숫자를 입력해 주세요.",
    "Too many failed attempts. Try again in %(n)d minutes.":
        "실패 횟수가 너무 많습니다. %(n)d분 후에 다시 시도해 주세요.",
    "The user name or password is not right, or the account has no console role.":
        "사용자 이름 또는 비밀번호가 올바르지 않거나, 계정에 관리 화면 권한이 없습니다.",
    "This code is not right or has expired. Enter the code shown now.":
        "코드가 올바르지 않거나 만료되었습니다. 지금 표시된 코드를 입력해 주세요.",
    "Your roles:": "나의 역할:",
    "Staff login": "직원 로그인",
    "Console": "관리 화면",
    "Home": "홈",
    "Second factor": "2단계 인증",
    "Set up your authenticator app": "인증 앱 설정",
    "Enter your code": "코드 입력",
    "Every staff login needs a second factor. Scan this code with an authenticator app (for example Google "
    "Authenticator, Microsoft Authenticator or FreeOTP), then enter the 6-digit code it shows.":
        "직원 로그인에는 모두 2단계 인증이 필요합니다. 인증 앱(예: Google Authenticator, Microsoft Authenticator, "
        "FreeOTP)으로 이 코드를 스캔한 후 표시되는 6자리 코드를 입력해 주세요.",
    "Or enter this key by hand:": "또는 이 키를 직접 입력해 주세요:",
    "Continue": "계속",
    "%(start)s–%(end)s (%(vaccine)s, %(free)d left)": "%(start)s–%(end)s (%(vaccine)s, 남은 자리 %(free)d)",
    "No other free times on this day. Choose another day in the calendar.": "이 날에는 다른 빈 시간이 없습니다. 달력에서 다른 날을 선택해 주세요.",
    "day": "날짜",
    'Please wait: you are in line': '잠시 기다려 주세요: 대기 중입니다',
    'Many people are booking right now. We let everyone in, in the order they arrived.': '지금 예약하시는 분이 매우 많습니다. 접속하신 순서대로 모두 안내해 드립니다.',
    'People ahead of you:': '앞에서 기다리는 분:',
    'About %(minutes)d min. This page checks again by itself; please do not close it.': '약 %(minutes)d분. 이 페이지는 자동으로 새로 고쳐집니다. 닫지 말고 기다려 주세요.',
    # --- notify: the emails
    "sending": "발송 중",
    "not sent": "발송 안 함",
    "Address": "주소",
    "Venue phone": "접종 장소 전화",
    "%(label)s: %(value)s": "%(label)s: %(value)s",
    "[%(city_name)s] Your vaccination reservation has been received (reservation ID %(code)s)": "[%(city_name)s] 백신 접종 예약이 접수되었습니다 (예약 ID: %(code)s)",
    "[%(city_name)s] Your vaccination reservation has been changed (reservation ID %(code)s)": "[%(city_name)s] 백신 접종 예약이 변경되었습니다 (예약 ID: %(code)s)",
    "[%(city_name)s] Your vaccination reservation has been cancelled (reservation ID %(code)s)": "[%(city_name)s] 백신 접종 예약이 취소되었습니다 (예약 ID: %(code)s)",
    "[%(city_name)s] Reminder: your vaccination is tomorrow (reservation ID %(code)s)": "[%(city_name)s] 알림: 내일은 백신 접종일입니다 (예약 ID: %(code)s)",
    "The city's call centre made this reservation for you.": "이 예약은 시의 예약 상담 센터에서 등록했습니다.",
    "The city's call centre changed this reservation.": "이 예약은 시의 예약 상담 센터에서 변경했습니다.",
    "The city's call centre cancelled this reservation.": "이 예약은 시의 예약 상담 센터에서 취소했습니다.",
    "The attached file (.ics) adds the appointment to your calendar.": "첨부 파일(.ics)을 열면 예약을 캘린더에 추가할 수 있습니다.",
    "The attached file (.ics) replaces the appointment in your calendar.": "첨부 파일(.ics)을 열면 캘린더의 예약이 새 일시로 바뀝니다.",
    "To change or cancel: on the booking site (reservation history) until %(deadline)s; after that, please call the call centre.": "변경·취소는 %(deadline)s까지 예약 사이트의 '예약 내역'에서 할 수 있습니다. 그 이후에는 예약 상담 센터로 전화해 주십시오.",
    "To change or cancel, please call the call centre.": "변경·취소는 예약 상담 센터로 전화해 주십시오.",
    "This email was sent automatically. Replies to it are not read.": "이 메일은 발신 전용입니다. 회신하셔도 확인할 수 없습니다.",
    "The new appointment:": "변경 후 예약:",
    "Before the change:": "변경 전:",
    "The cancelled appointment:": "취소된 예약:",
    "To book again, log in to the booking site or call the call centre.": "다시 예약하려면 예약 사이트에 로그인하거나 예약 상담 센터로 전화해 주십시오.",
    "Your vaccination is tomorrow.": "내일은 백신 접종일입니다.",
    "If you cannot come, or feel unwell on the day, please call the call centre.": "오실 수 없거나 당일 몸이 좋지 않으시면 예약 상담 센터로 전화해 주십시오.",
    "The capacity cannot be negative.": "정원은 음수일 수 없습니다.",
    # --- notify: admin
    "Send again (failed notifications)": "다시 보내기(발송에 실패한 알림)",
    "Notifications queued again: %(n)d": "다시 대기열에 넣은 알림: %(n)d건",
    # --- console, venues area: domain errors (booking/errors.py is resident-visible code)
    "This resident has not asked for an earlier date. Change the reservation instead.": "이 주민은 접종일 앞당기기를 신청하지 않았습니다. 예약 변경으로 처리해 주세요.",
    "The chosen time is not earlier than the current appointment.": "선택한 시간이 현재 예약보다 빠르지 않습니다.",
    "A dose with this number is already recorded for this resident. Check the resident's record.": "이 주민의 해당 차수 접종 기록이 이미 있습니다. 주민의 기록을 확인해 주세요.",
    "This can be recorded from the day of the appointment.": "예약 당일부터 기록할 수 있습니다.",
    'Venues with free times on %(date)s': '%(date)s에 빈 시간이 있는 접종 장소',
    'Choose a venue to see its free times.': '접종 장소를 선택하면 빈 시간이 표시됩니다.',
    '%(n)s place left': '남은 자리 %(n)s',
    # --- move-up offers
    "open": "유효",
    "accepted": "수락됨",
    "taken by someone else": "다른 분이 먼저 수락",
    "expired": "기한 만료",
    "withdrawn": "철회됨",
    "offered at": "안내 일시",
    "valid until": "유효 기한",
    "accepted at": "수락 일시",
    "move-up offer": "앞당기기 안내",
    "move-up offers": "앞당기기 안내",
    "This offer has already been used.": "이 안내는 이미 사용되었습니다.",
    "This offer has expired.": "이 안내는 유효 기한이 지났습니다.",
    "Sorry, someone else accepted this place first.": "죄송합니다. 이 자리는 다른 분이 먼저 수락하셨습니다.",
    "This offer is no longer valid.": "이 안내는 더 이상 유효하지 않습니다.",
    "Your reservation has not changed.": "예약은 변경되지 않았습니다.",
    "Done: your reservation has been moved to the earlier time.": "예약을 더 이른 일시로 변경했습니다.",
    "An earlier time is free": "더 이른 일시에 빈자리가 생겼습니다",
    "You asked for an earlier date. This time has become free:": "접종일 앞당기기를 희망하셨습니다. 다음 일시에 빈자리가 생겼습니다.",
    "Your reservation now": "현재 예약",
    "This offer is valid until %(until)s. The same time was offered to a few people: the first to accept it gets it.": "이 안내의 유효 기한은 %(until)s입니다. 같은 자리를 여러 분께 안내하고 있으며, 먼저 수락하신 분이 예약됩니다.",
    "If you accept, your reservation moves to the earlier time and your current time is given up. Nothing changes unless you accept.": "수락하시면 예약이 더 이른 일시로 변경되고 현재 일시의 예약은 취소됩니다. 수락하지 않으면 아무것도 바뀌지 않습니다.",
    "Accept the earlier time": "더 이른 일시로 변경하기",
    "No, keep my current reservation": "아니요, 현재 예약을 유지합니다",
    "This offer can no longer be accepted": "이 안내는 더 이상 수락할 수 없습니다",
    "Your reservation": "예약 내용",
    "[%(city_name)s] An earlier vaccination time is free (reservation ID %(code)s)": "[%(city_name)s] 더 이른 백신 접종 일시에 빈자리가 생겼습니다 (예약 ID %(code)s)",
    "You asked for an earlier date. An earlier time has become free:": "접종일 앞당기기를 희망하셨습니다. 더 이른 일시에 빈자리가 생겼습니다.",
    "Your reservation now:": "현재 예약:",
    "To take the earlier time, open this link and press the button within %(minutes)s minute (until %(until)s):": "더 이른 일시로 변경하시려면 %(minutes)s분 이내(%(until)s까지)에 다음 링크를 열고 버튼을 눌러 주세요:",
    "The same time was offered to a few people: the first to accept it gets it.": "같은 자리를 여러 분께 안내하고 있으며, 먼저 수락하신 분이 예약됩니다.",
    "Nothing changes unless you accept. If you do nothing, your reservation stays as it is.": "수락하지 않으면 아무것도 바뀌지 않습니다. 아무것도 하지 않으시면 현재 예약이 그대로 유지됩니다.",
    "If you accept, your current time is given up and offered to someone else.": "수락하시면 현재 일시의 자리는 다른 분께 안내됩니다.",
    # --- the fault page (templates/503.html, web/faults.py)
    "Sorry, the service cannot answer right now": "죄송합니다. 지금은 서비스를 이용하실 수 없습니다",
    "We could not complete this because the booking service is having a problem at the moment. It is not caused by anything you did.": "예약 시스템에 일시적인 문제가 발생하여 처리를 완료하지 못했습니다. 고객님의 조작으로 인한 문제가 아닙니다.",
    "Your reservation may have been registered, changed or cancelled before the problem occurred.": "문제가 발생하기 전에 예약 등록·변경·취소가 완료되었을 수 있습니다.",
    "Before you try again, check your reservation history:": "다시 시도하시기 전에 예약 내역을 확인해 주세요:",
    "If it shows what you just did, it is done: you do not need to do it again.": "예약 내역에 방금 하신 내용이 반영되어 있다면 절차는 완료된 것이므로 다시 하실 필요가 없습니다.",
    "Please wait a minute and try again.": "1분 정도 기다리신 후 다시 시도해 주세요.",
    "If this goes on, please call us.": "이 상태가 계속되면 전화로 연락해 주세요.",
    # --- resident site, second pass (helperI)
    'Week from': '표시할 주(시작일)',
    'What the marks mean': '기호의 의미',
    "Choose ○ or △ to see that venue's free times on that day.": '○ 또는 △를 선택하면 그 접종 장소의 그날 빈 시간이 표시됩니다.',
}
