"""Seeded generator of synthetic clinical notes with exact PHI offsets (for bench_redact.py).

Every note is assembled piece by piece, so each identifier's offsets are known exactly. Notes vary
by type (progress, discharge, radiology, ED, referral letter, telephone, pathology, operative,
nursing, registration/insurance, telehealth), carry every Safe Harbor category in many written
forms and casings (including whole notes in capitals), and are mixed with hard negatives:
eponymous diseases and signs, clinicians' titles, drugs and doses, labs, vitals, ages under 90,
years alone and ICD-10-CM / CPT / HCPCS codes. A share of notes carries no identifier at all.

    python bench/phi_gen.py --seed 20251122 --notes 2000 --out bench/out/eval.jsonl
    python bench/phi_gen.py --seed 7 --bytes 50MB --out bench/out/notes50.jsonl   # streaming test

Output lines: {"id", "text", "spans": [{"start", "end", "label"}], "phi_free": bool}.
Seeds used while developing medcode's rules: 1 and 2. The evaluation seed is 20251122.
Values come from Faker (names in several locales, streets, fake cities) and the zipcodes package
(real US city / state / ZIP triples); nothing here is real PHI.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
import unicodedata
from pathlib import Path

from faker import Faker

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
WORD_FIRST = ["Hope", "Faith", "Grace", "Joy", "Will", "Mark", "Bill", "Rose", "Dawn", "June",
              "April", "Summer", "Autumn", "Sandy", "Frank", "Art", "Guy", "Iris", "Ivy", "Pearl",
              "Ruby", "Amber", "Crystal", "Holly", "Violet", "Daisy", "Lily", "Olive", "Chase",
              "Hunter", "Mason", "Wade", "Rich", "Penny", "Misty", "Dusty", "Gale", "Skip"]
WORD_LAST = ["Brown", "White", "Black", "Green", "Young", "Long", "Short", "Small", "Strong",
             "Hale", "Bland", "Moody", "Cook", "Baker", "Walker", "Hill", "King", "Wood", "Stone",
             "Rivers", "Banks", "Fields", "Wells", "Burns", "Price", "Bell", "Page", "Hart", "Love",
             "Gross", "Lamb", "Fox", "Wolf", "Crane", "Sharp", "Bond", "Day", "Marsh", "Lake",
             "Ford", "Parks", "Waters", "Snow", "Frost", "Winter", "Summers", "Head", "Cash",
             "Parkinson", "Graves", "Turner", "Wilson", "Murphy", "Hunter", "Addison", "Bishop"]
STATES = {"AL": "Alabama", "AZ": "Arizona", "CA": "California", "CO": "Colorado", "FL": "Florida",
          "GA": "Georgia", "IL": "Illinois", "IN": "Indiana", "KY": "Kentucky", "MA": "Massachusetts",
          "MD": "Maryland", "MI": "Michigan", "MN": "Minnesota", "MO": "Missouri", "NC": "North Carolina",
          "NJ": "New Jersey", "NY": "New York", "OH": "Ohio", "OR": "Oregon", "PA": "Pennsylvania",
          "TN": "Tennessee", "TX": "Texas", "VA": "Virginia", "WA": "Washington", "WI": "Wisconsin"}
FACILITY_TAILS = ["Hospital", "Medical Center", "Memorial Hospital", "Regional Medical Center",
                  "Community Hospital", "Health Center", "Clinic", "Family Practice",
                  "Rehabilitation Center", "Nursing Home", "Urgent Care", "Surgery Center",
                  "Cancer Center", "Hospice", "General Hospital", "Medical Group", "Pharmacy",
                  "Children's Hospital", "Imaging Center", "Dialysis Center"]
CRED = ["MD", "DO", "RN", "NP", "PA-C", "MD, PhD", "FNP-C", "M.D."]
EPONYMS = [
    "Parkinson's disease", "Parkinson disease", "Crohn's disease", "Hodgkin lymphoma",
    "non-Hodgkin lymphoma", "Down syndrome", "Alzheimer's dementia", "Graves disease",
    "Hashimoto thyroiditis", "Cushing syndrome", "Addison disease", "Bell's palsy",
    "Guillain-Barre syndrome", "Wilson disease", "Turner syndrome", "Marfan syndrome",
    "Kawasaki disease", "Raynaud phenomenon", "Sjogren syndrome", "Tourette syndrome",
    "Huntington disease", "Barrett esophagus", "a Baker's cyst", "a Colles fracture",
    "Lyme disease", "Meniere disease", "Paget disease of bone", "Dupuytren contracture",
    "a Mallory-Weiss tear", "Stevens-Johnson syndrome", "Wolff-Parkinson-White syndrome",
    "Cheyne-Stokes respirations", "Kussmaul respirations", "Kaposi sarcoma", "Ewing sarcoma",
    "a Wilms tumor", "Hirschsprung disease", "Osgood-Schlatter disease", "Lou Gehrig's disease",
    "Brown-Sequard syndrome", "Charcot foot", "Bence Jones proteinuria", "Reiter syndrome",
]
SIGNS = ["Murphy sign is negative", "Babinski sign is absent bilaterally", "Romberg test is negative",
         "Tinel sign positive at the wrist", "Phalen test positive", "no McBurney point tenderness",
         "Homans sign negative", "Glasgow Coma Scale 15", "Gleason score 3+4=7",
         "Lachman test negative", "McMurray test negative", "Spurling test negative",
         "Trendelenburg gait", "positive Kernig sign"]
DEVICES = ["Foley catheter in place", "Swan-Ganz catheter removed", "Holter monitor ordered",
           "Doppler ultrasound of the legs", "Gram stain showed gram-positive cocci",
           "Pap smear was normal", "Epley maneuver performed", "Valsalva maneuver",
           "status post Whipple procedure", "history of Nissen fundoplication",
           "Jackson-Pratt drain output 30 mL", "Trendelenburg position"]
DRUGS = ["metoprolol tartrate 25 mg PO BID", "lisinopril 10 mg daily", "Lasix 40 mg IV once",
         "atorvastatin 40 mg nightly", "Norco 5/325 one tablet q6h prn pain",
         "Tylenol 650 mg q6h prn", "aspirin 81 mg daily", "insulin glargine 20 units qhs",
         "Keppra 500 mg BID", "Eliquis 5 mg BID", "Coumadin 5 mg with INR goal 2-3",
         "prednisone 40 mg x5 days", "albuterol 2 puffs q4h prn", "Zofran 4 mg IV q8h prn",
         "vancomycin 1.25 g IV q12h", "Bactrim DS 1 tab BID x7 days", "sertraline 50 mg daily",
         "levothyroxine 88 mcg daily", "metformin 1000 mg BID", "pantoprazole 40 mg daily",
         "Ativan 0.5 mg q8h prn anxiety", "Norvasc 5 mg daily", "Januvia 100 mg daily",
         "Humira 40 mg SC every other week", "Xarelto 20 mg with dinner"]
LABS = ["Hgb 12.3", "WBC 8.2", "Na 138", "K 4.1", "Cr 1.1", "BUN 18", "A1c 7.2%", "INR 2.3",
        "TSH 2.1", "platelets 250", "BNP 450", "troponin <0.01", "lactate 1.8", "glucose 142",
        "ALT 32", "AST 28", "LDL 96", "eGFR 58", "Mg 2.0", "phos 3.4", "ferritin 12", "CRP 4.5"]
VITALS = ["BP 132/84", "HR 88", "RR 16", "T 98.6 F", "Temp 99 F", "SpO2 97% on RA", "Wt 82 kg",
          "BMI 27.4", "pain 3/10", "strength 5/5 throughout", "2/6 systolic murmur",
          "grade 3/6 holosystolic murmur", "reflexes 2+ and symmetric", "visual acuity 20/40",
          "pulse ox 95%", "BP 118/76 sitting", "pain score 7/10"]
CODES = ["E11.9", "I10", "J44.1", "N18.3", "Z79.4", "M54.5", "F32.9", "K21.9", "I48.91",
         "S72.001A", "E78.5", "R07.9", "G20", "K50.90", "C81.90", "Q90.9"]
CPTS = ["99213", "99214", "99223", "93000", "71046", "80053", "36415", "G0439", "J1885", "A0428",
        "99285", "45378", "G0121", "J0696"]
ANAT = ["right lower quadrant", "left anterior descending artery", "L4-L5 disc space",
        "medial meniscus", "anterior cruciate ligament", "superior vena cava", "sigmoid colon",
        "left ventricle", "C5-C6 foraminal narrowing", "distal radius"]
CLINICAL = [
    "Patient denies chest pain, shortness of breath, nausea or vomiting.",
    "Lungs are clear to auscultation bilaterally without wheezes, rales or rhonchi.",
    "Abdomen is soft, nontender, nondistended with normal bowel sounds.",
    "Heart regular rate and rhythm with {vital}.", "Vitals: {vital}, {vital}, {vital}.",
    "Labs notable for {lab}, {lab} and {lab}.", "Continue {drug}.", "Start {drug}.",
    "Will increase {drug}.", "History of {epo} diagnosed in {year}.",
    "Known {epo}, stable on current regimen.", "Exam: {sign}.", "{sign}; {sign}.",
    "{device}.", "Assessment: {epo}, {code}.", "Diagnoses coded as {code} and {code}.",
    "Billed CPT {cpt}.", "Procedure code {cpt} documented.", "Imaging of the {anat} unremarkable.",
    "Mild degenerative change at the {anat}.", "Patient is a {age}-year-old with {epo}.",
    "The patient was seen by the attending physician and the nurse practitioner.",
    "Discussed with the covering resident; the charge nurse was updated.",
    "Smoked 1 pack per day from {year} to {year}.", "Last colonoscopy in {year} was normal.",
    "Mammogram in {year} showed BI-RADS 2.", "Will follow up in 2 weeks or sooner as needed.",
    "Return precautions reviewed. Patient verbalized understanding.",
    "No known drug allergies.", "Plan to recheck {lab} in 3 months.",
    "Family history of {epo} in a first-degree relative.",
    "ECG shows sinus rhythm at 72 bpm, QTc 440 ms.", "Sent to Cardiology Clinic for evaluation.",
    "Admitted to the ICU overnight, transferred to the floor.", "Grew E. coli, pan-sensitive.",
    "C. diff toxin negative.", "Candida albicans on wound culture.",
    "Medicare Part B covers the visit.", "Moved to the Emergency Department for monitoring.",
    "She will see Physical Therapy 3 times per week.", "Ages 18-64 group; she is {age}.",
    "May discharge home tomorrow if stable.", "Will call with results.",
    "Frank blood noted in the stool; gross hematuria resolved.", "Brown sputum, white plaques.",
    "Mark the site before surgery.", "Hope for improvement with therapy.",
]
SECTION_HEADERS = ["HISTORY OF PRESENT ILLNESS:", "Assessment and Plan:", "PHYSICAL EXAM:",
                   "Review of Systems:", "Hospital Course:", "IMPRESSION:", "Medications:",
                   "Social History:", "Past Medical History:", "FINDINGS:", "Plan:"]


def ascii_fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")


class Note:
    """Text plus gold spans, appended piece by piece."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.n = 0
        self.spans: list[tuple[int, int, str]] = []

    def t(self, s: str) -> "Note":
        self.parts.append(s)
        self.n += len(s)
        return self

    def p(self, s: str, label: str) -> "Note":
        self.spans.append((self.n, self.n + len(s), label))
        return self.t(s)

    @property
    def text(self) -> str:
        return "".join(self.parts)


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.fakers = {loc: Faker(loc) for loc in ("en_US", "en_GB", "es_MX", "it_IT", "fr_FR")}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed * 31 + i)
        self.f = self.fakers["en_US"]
        import zipcodes

        zs = [z for z in zipcodes.list_all() if z["state"] in STATES and z["zip_code_type"] == "STANDARD"]
        self.r.shuffle(zs)
        self.places = [(z["city"], z["state"], z["zip_code"], z["county"]) for z in zs[:4000]]

    # ------------------------------------------------------------------ values
    def person(self) -> dict[str, str]:
        r = self.r
        loc = r.choices(list(self.fakers), weights=[70, 8, 10, 6, 6])[0]
        f = self.fakers[loc]
        female = r.random() < 0.5
        first = ascii_fold(f.first_name_female() if female else f.first_name_male())
        last = ascii_fold(f.last_name())
        if r.random() < 0.12:
            first = r.choice(WORD_FIRST)
        if r.random() < 0.12:
            last = r.choice(WORD_LAST)
        if r.random() < 0.05:
            last = f"{last}-{ascii_fold(self.f.last_name())}"
        middle = r.choice(string.ascii_uppercase)
        return {"first": first.split()[0], "last": last.replace(" ", "-"), "middle": middle,
                "sex": "F" if female else "M"}

    def date_str(self, year_lo: int = 1930, year_hi: int = 2025) -> str:
        r = self.r
        y = r.randint(year_lo, year_hi)
        m = r.randint(1, 12)
        d = r.randint(1, 28)
        mon = MONTHS[m - 1]
        ordn = f"{d}{'th' if 11 <= d <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th')}"
        forms = [
            f"{m}/{d}/{y}", f"{m:02d}/{d:02d}/{y}", f"{m}/{d}/{y % 100:02d}", f"{y}-{m:02d}-{d:02d}",
            f"{mon} {d}, {y}", f"{mon[:3]} {d}, {y}", f"{mon[:3]}. {d}, {y}", f"{d} {mon} {y}",
            f"{d:02d}-{mon[:3]}-{y}", f"{d}-{mon[:3].upper()}-{y % 100:02d}", f"{mon} {ordn}",
            f"{mon[:3]} {ordn}", f"{m}/{d}", f"{m:02d}-{d:02d}-{y}", f"{mon} {y}", f"{m:02d}/{y}",
            f"the {ordn} of {mon}", f"{ordn} of {mon}, {y}", f"{mon} {d}", f"{d}.{m}.{y}",
        ]
        return r.choice(forms)

    def phone(self) -> str:
        r = self.r
        a, b, c = r.randint(201, 989), r.randint(200, 999), r.randint(0, 9999)
        forms = [f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}", f"{a} {b} {c:04d}",
                 f"+1 {a}-{b}-{c:04d}", f"1-{a}-{b}-{c:04d}", f"({a}){b}-{c:04d}",
                 f"{a}-{b}-{c:04d} ext. {r.randint(10, 9999)}", f"{a}{b}{c:04d}"]
        return r.choice(forms)

    def ssn(self) -> str:
        r = self.r
        a = r.choice([x for x in range(1, 900) if x != 666])
        g, s = r.randint(1, 99), r.randint(1, 9999)
        return r.choice([f"{a:03d}-{g:02d}-{s:04d}", f"{a:03d} {g:02d} {s:04d}", f"{a:03d}{g:02d}{s:04d}"])

    def mbi(self) -> str:
        r = self.r
        al = "ACDEFGHJKMNPQRTUVWXY"
        an = al + "0123456789"
        c = [r.choice("123456789"), r.choice(al), r.choice(an), r.choice(string.digits), r.choice(al),
             r.choice(an), r.choice(string.digits), r.choice(al), r.choice(al),
             r.choice(string.digits), r.choice(string.digits)]
        s = "".join(c)
        return s if r.random() < 0.5 else f"{s[:4]}-{s[4:7]}-{s[7:]}"

    def npi(self) -> str:
        r = self.r
        while True:
            base = r.choice("12") + "".join(r.choice(string.digits) for _ in range(8))
            for chk in range(10):
                cand = base + str(chk)
                if _luhn("80840" + cand):
                    return cand

    def dea(self) -> str:
        r = self.r
        d = [r.randint(0, 9) for _ in range(6)]
        chk = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
        return r.choice("ABFGM") + r.choice(string.ascii_uppercase) + "".join(map(str, d)) + str(chk)

    def vin(self) -> str:
        r = self.r
        chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        vals = {**{str(i): i for i in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))),
                **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
        w = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
        v = [r.choice(chars) for _ in range(17)]
        v[9] = r.choice("ABCDEFGHJKLMNPRSTVWXY123456789")
        for pos in range(12, 17):
            v[pos] = r.choice(string.digits)
        total = sum(vals[c] * wt for c, wt in zip(v, w))
        v[8] = "X" if total % 11 == 10 else str(total % 11)
        return "".join(v)

    def alnum_id(self, letters: int = 2, digits: int = 7, sep: str = "") -> str:
        r = self.r
        a = "".join(r.choice(string.ascii_uppercase) for _ in range(letters))
        d = "".join(r.choice(string.digits) for _ in range(digits))
        return f"{a}{sep}{d}" if a else d

    def facility(self) -> str:
        r = self.r
        city = r.choice(self.places)[0]
        p = self.person()
        kind = r.random()
        tail = r.choice(FACILITY_TAILS)
        if kind < 0.3:
            return f"{p['last']} {tail}"
        if kind < 0.5:
            return f"St. {p['first']}'s {r.choice(['Hospital', 'Medical Center', 'Regional Hospital'])}"
        if kind < 0.75:
            return f"{city} {tail}"
        return f"{r.choice(['Mercy', 'Riverside', 'Lakeview', 'Sunrise', 'Valley View', 'Pine Ridge', 'Good Samaritan', 'Northside', 'Cedar Grove'])} {tail}"

    def place(self) -> tuple[str, str, str, str]:
        city, st, z, county = self.r.choice(self.places)
        if self.r.random() < 0.25:
            city = ascii_fold(self.f.city())
        return city, st, z, county

    # ------------------------------------------------------------------ PHI pieces
    def name(self, n: Note, p: dict[str, str], form: str | None = None) -> None:
        r = self.r
        form = form or r.choice(["fl", "fl", "fml", "lf", "LF", "fl", "f", "l_title", "fi", "il"])
        f, m, l_ = p["first"], p["middle"], p["last"]
        if form == "fl":
            n.p(f"{f} {l_}", "NAME")
        elif form == "fml":
            n.p(f"{f} {m}. {l_}", "NAME")
        elif form == "lf":
            n.p(f"{l_}, {f}", "NAME")
        elif form == "LF":
            n.p(f"{l_.upper()}, {f.upper()}" + (f" {m}" if r.random() < 0.5 else ""), "NAME")
        elif form == "f":
            n.p(f, "NAME")
        elif form == "l_title":
            n.t(r.choice(["Mr. ", "Mrs. ", "Ms. ", "Mr ", "Ms "])).p(l_, "NAME")
        elif form == "fi":
            n.p(f"{f} {l_[0]}.", "NAME")
        else:
            n.p(f"{f[0]}. {l_}", "NAME")

    def clinician(self, n: Note) -> None:
        r = self.r
        d = self.person()
        k = r.random()
        if k < 0.35:
            n.t(r.choice(["Dr. ", "Dr ", "DR. "])).p(d["last"] if r.random() < 0.6 else f"{d['first']} {d['last']}", "NAME")
        elif k < 0.7:
            n.p(f"{d['first']} {d['last']}" if r.random() < 0.7 else f"{d['first']} {d['middle']}. {d['last']}", "NAME")
            n.t(f", {r.choice(CRED)}")
        elif k < 0.85:
            n.p(f"{d['first'][0]}. {d['last']}", "NAME").t(f" {r.choice(CRED)}")
        else:
            n.t("Dr. ").p(f"{d['first']} {d['last']}", "NAME")

    def date(self, n: Note, lo: int = 2015, hi: int = 2025) -> None:
        self.put_date(n, self.date_str(lo, hi))

    @staticmethod
    def put_date(n: Note, value: str) -> None:
        """'the 2nd of March': the article is not part of the date."""
        if value.startswith("the "):
            n.t("the ")
            value = value[4:]
        n.p(value, "DATE")

    def age(self, n: Note, sex: str) -> None:
        r = self.r
        a = r.randint(90, 104)
        form = r.choice(["yo", "year-old", "y/o", "age", "aged", "years old", "decade", "words", "yo_sex"])
        if form == "yo":
            n.t("a ").p(str(a), "AGE").t(" yo ")
        elif form == "year-old":
            n.t("a ").p(str(a), "AGE").t("-year-old ")
        elif form == "y/o":
            n.t("a ").p(str(a), "AGE").t(" y/o ")
        elif form == "years old":
            n.t("").p(str(a), "AGE").t(" years old, a ")
        elif form == "age":
            n.t("age ").p(str(a), "AGE").t(", a ")
        elif form == "aged":
            n.t("aged ").p(str(a), "AGE").t(", a ")
        elif form == "decade":
            n.t(f"in {'her' if sex == 'F' else 'his'} ").p(r.choice(["90s", "nineties"]), "AGE").t(", a ")
        elif form == "words":
            w = r.choice(["ninety-one", "ninety-two", "ninety-five", "ninety-eight"])
            n.t("a ").p(w, "AGE").t("-year-old ")
        else:
            n.t("a ").p(f"{a}", "AGE").t(f"{'F' if sex == 'F' else 'M'} ")

    def address_block(self, n: Note) -> None:
        r = self.r
        city, st, z, county = self.place()
        street = self.f.street_address() if r.random() < 0.85 else f"P.O. Box {r.randint(1, 9999)}"
        upper = r.random() < 0.2
        n.p(street.upper() if upper else street, "ADDRESS")
        n.t(r.choice([", ", "\n    ", " "]))
        n.p(city.upper() if upper else city, "LOCATION").t(", ")
        n.t(st if r.random() < 0.8 else STATES[st]).t(" ")
        n.p(z if r.random() < 0.8 else f"{z}-{r.randint(1000, 9999)}", "ZIP")

    # ------------------------------------------------------------------ filler
    def filler(self, n: Note, k: int) -> None:
        r = self.r
        for _ in range(k):
            s = r.choice(CLINICAL)
            s = self._fill(s)
            n.t(s + " ")

    def _fill(self, s: str) -> str:
        r = self.r
        out = s
        for key, pool in (("{vital}", VITALS), ("{lab}", LABS), ("{drug}", DRUGS), ("{epo}", EPONYMS),
                          ("{sign}", SIGNS), ("{device}", DEVICES), ("{code}", CODES), ("{cpt}", CPTS),
                          ("{anat}", ANAT)):
            while key in out:
                out = out.replace(key, r.choice(pool), 1)
        while "{year}" in out:
            out = out.replace("{year}", str(r.randint(1985, 2024)), 1)
        while "{age}" in out:
            out = out.replace("{age}", str(r.randint(18, 89)), 1)
        return out

    # ------------------------------------------------------------------ notes
    def note(self, idx: int) -> dict[str, object]:
        r = self.r
        phi_free = r.random() < 0.25
        n = Note()
        if phi_free:
            self._phi_free(n)
        else:
            kind = r.choice([self._progress, self._discharge, self._radiology, self._ed,
                             self._letter, self._phone_note, self._pathology, self._operative,
                             self._registration, self._telehealth, self._nursing])
            kind(n)
        text = n.text
        caps = not phi_free and r.random() < 0.08 or phi_free and r.random() < 0.08
        if caps:
            text = text.upper()
        assert len(text) == n.n
        return {"id": f"note-{idx:06d}", "text": text,
                "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in n.spans],
                "phi_free": phi_free}

    def _header(self, n: Note, p: dict[str, str], title: str) -> None:
        r = self.r
        n.t(f"{title}\n")
        n.t(r.choice(["Patient: ", "Patient Name: ", "PATIENT: ", "Name: ", "Pt: "]))
        self.name(n, p, r.choice(["fl", "lf", "LF", "fml"]))
        n.t(r.choice(["   ", "\n"]))
        n.t(r.choice(["MRN: ", "MR#: ", "Medical Record Number: ", "MRN ", "Med Rec #: "]))
        n.p(self.alnum_id(r.choice([0, 0, 1, 2]), r.randint(6, 9)), "MRN")
        n.t(r.choice(["   DOB: ", "\nDOB: ", "   Date of Birth: ", "  D.O.B.: "]))
        self.put_date(n, self.date_str(1925, 2005))
        if r.random() < 0.6:
            n.t(r.choice(["\nDate of Service: ", "\nDOS: ", "\nVisit date: ", "\nAdmission Date: "]))
            self.date(n)
        n.t("\n\n")

    def _hpi(self, n: Note, p: dict[str, str]) -> None:
        r = self.r
        n.t(r.choice(SECTION_HEADERS[:1]) + "\n")
        self.name(n, p, r.choice(["fl", "l_title", "f"]))
        n.t(" is ")
        if r.random() < 0.55:
            self.age(n, p["sex"])
        else:
            n.t(f"a {r.randint(20, 89)}-year-old ")
        n.t(f"{'woman' if p['sex'] == 'F' else 'man'} with {self._fill('{epo}')} who presents on ")
        self.date(n)
        n.t(f" with {r.choice(['worsening dyspnea', 'a fall at home', 'chest pain', 'fever', 'confusion'])}. ")
        if r.random() < 0.5:
            rel = r.choice(["daughter", "son", "wife", "husband", "sister", "neighbor", "granddaughter"])
            q = self.person()
            n.t(f"History obtained from {r.choice(['her', 'his', 'the patient’s'.replace('’', chr(39))])} {rel} ")
            self.name(n, q, r.choice(["f", "fl", "f"]))
            n.t(". ")
        if r.random() < 0.5:
            n.t("Symptoms began ")
            n.t(r.choice(["on ", "in ", "since "]))
            d = self.r.random()
            if d < 0.5:
                self.date(n)
            else:
                n.p(r.choice(MONTHS), "DATE")
            n.t(". ")
        if r.random() < 0.4:
            n.t(r.choice(["Previously seen at ", "Transferred from ", "Followed by cardiology at "]))
            n.p(self.facility(), "FACILITY")
            if r.random() < 0.5:
                city = self.place()[0]
                n.t(" in ").p(city, "LOCATION")
            n.t(". ")
        self.filler(n, r.randint(2, 4))
        n.t("\n\n")

    def _social(self, n: Note, p: dict[str, str]) -> None:
        r = self.r
        n.t("Social History:\n")
        k = r.random()
        city, st, z, county = self.place()
        if k < 0.3:
            n.t(r.choice(["Lives in ", "Resides in ", "Lives alone in ", "Recently moved to "]))
            n.p(city, "LOCATION").t(f", {st if r.random() < 0.5 else STATES[st]}")
        elif k < 0.5:
            n.t("Lives with her husband ").p(self.person()["first"], "NAME").t(" in ")
            n.p(county, "LOCATION").t(".")
        elif k < 0.7:
            n.t("Home address: ")
            self.address_block(n)
        else:
            n.t("Originally from ").p(city, "LOCATION").t(f"; retired {r.choice(['teacher', 'machinist', 'nurse', 'farmer'])}")
        n.t(". " + self._fill("Smoked 1 pack per day from {year} to {year}.") + " ")
        if r.random() < 0.5:
            n.t(r.choice(["Cell: ", "Home phone ", "Contact number: ", "Best callback number is ", "Phone: "]))
            n.p(self.phone(), "PHONE").t(". ")
        if r.random() < 0.3:
            n.t("Emergency contact: ")
            q = self.person()
            self.name(n, q, r.choice(["fl", "lf"]))
            n.t(f" ({r.choice(['daughter', 'son', 'spouse', 'friend'])}) ")
            n.p(self.phone(), "PHONE").t(".")
        n.t("\n\n")

    def _plan(self, n: Note) -> None:
        r = self.r
        n.t(r.choice(["Assessment and Plan:\n", "PLAN:\n", "Plan:\n"]))
        self.filler(n, r.randint(2, 4))
        if r.random() < 0.7:
            n.t(r.choice(["Follow up with ", "Return to clinic with ", "Referred to "]))
            self.clinician(n)
            n.t(r.choice([" on ", " in 2 weeks, on ", " by "]))
            self.date(n, 2024, 2026)
            n.t(". ")
        if r.random() < 0.3:
            n.t("Fax records to ").p(self.phone(), "FAX").t(". ")
        n.t("\n\n")

    def _signature(self, n: Note) -> None:
        r = self.r
        n.t(r.choice(["Electronically signed by ", "Signed: ", "Dictated by ", "Attending: ", "--\n"]))
        self.clinician(n)
        n.t(r.choice([" on ", " ", "\nDate: "]))
        self.date(n)
        if r.random() < 0.5:
            n.t(r.choice(["  NPI: ", "\nNPI ", "  NPI# "])).p(self.npi(), "LICENSE")
        if r.random() < 0.3:
            n.t(r.choice(["  Pager ", "  Office: ", "  Tel. "])).p(self.phone(), "PHONE")
        if r.random() < 0.2:
            n.t("\nDEA# ").p(self.dea(), "LICENSE")
        n.t("\n")

    def _insurance(self, n: Note) -> None:
        r = self.r
        choices = r.sample(range(6), r.randint(1, 3))
        for c in choices:
            if c == 0:
                n.t(r.choice(["Medicare MBI: ", "Medicare ID: ", "MBI ", "Medicare number "])).p(self.mbi(), "HEALTH_PLAN")
            elif c == 1:
                n.t(r.choice(["Member ID: ", "Insurance ID: ", "Subscriber ID ", "BCBS ID ", "Policy #: "]))
                n.p(self.alnum_id(r.choice([1, 3]), r.randint(8, 10)), "HEALTH_PLAN")
            elif c == 2:
                n.t(r.choice(["Medicaid #: ", "Medicaid ID "])).p(self.alnum_id(0, 8) + r.choice(["A", "B", ""]), "HEALTH_PLAN")
            elif c == 3:
                n.t(r.choice(["Account #: ", "Acct: ", "Billing account no. ", "FIN "]))
                n.p(self.alnum_id(0, r.randint(7, 10)), "ACCOUNT")
            elif c == 4:
                n.t(r.choice(["SSN: ", "Social Security Number: ", "SS# "])).p(self.ssn(), "SSN")
            else:
                if r.random() < 0.5:
                    n.t("Group number: ").p(self.alnum_id(r.choice([0, 2]), 7), "HEALTH_PLAN")
                else:
                    n.t("Claim #: ").p(self.alnum_id(0, 10), "ID")
            n.t(r.choice(["\n", "   "]))
        n.t("\n")

    def _misc_ids(self, n: Note) -> None:
        r = self.r
        c = r.randint(0, 9)
        if c == 0:
            n.t(r.choice(["Pacemaker serial number: ", "Device S/N ", "ICD serial # ", "Serial No. "]))
            n.p(self.alnum_id(r.choice([2, 3]), r.randint(6, 8), r.choice(["", "-"])), "DEVICE")
        elif c == 1:
            gtin = "".join(r.choice(string.digits) for _ in range(14))
            n.t("Implant UDI: ").p(f"(01){gtin}(17)2{r.randint(10000, 99999)}(21){self.alnum_id(2, 5)}", "DEVICE")
        elif c == 2:
            n.t(r.choice(["Patient involved in MVC; vehicle VIN ", "VIN: "])).p(self.vin(), "VEHICLE")
        elif c == 3:
            plate = r.choice([f"{self.alnum_id(3, 4, '-')}", f"{r.randint(1, 9)}{self.alnum_id(3, 3)}", f"{self.alnum_id(3, 3, ' ')}"])
            n.t(r.choice(["License plate ", "Plate # ", "license plate number "])).p(plate, "VEHICLE")
        elif c == 4:
            n.t(r.choice(["Fingerprint ID: ", "Retinal scan ID ", "Voiceprint ID: ", "Biometric ID "]))
            n.p(f"{self.alnum_id(2, 5, '-')}", "BIOMETRIC")
        elif c == 5:
            n.t(r.choice(["Accession #: ", "Specimen ID: ", "Encounter #: ", "Case ID: ", "Order # "]))
            n.p(r.choice([f"S{r.randint(20, 25)}-{r.randint(10000, 99999)}", self.alnum_id(0, 9), f"{self.alnum_id(2, 6, '-')}"]), "ID")
        elif c == 6:
            n.t(r.choice(["Driver's license: ", "State license # ", "License No. ", "Certificate number "]))
            n.p(self.alnum_id(1, 8), "LICENSE")
        elif c == 7:
            n.t("Contact: ").p(ascii_fold(self.f.email()), "EMAIL")
        elif c == 8:
            n.t(r.choice(["Portal: ", "See ", "Results at "]))
            url = r.choice([f"https://{self.f.domain_name()}/patient/{self.alnum_id(0, 6)}",
                            f"www.{self.f.domain_name()}/{self.f.uri_path()}",
                            f"http://{self.f.domain_name()}"])
            n.p(url, "URL")
        else:
            n.t(r.choice(["Connected from IP ", "IP address: "]))
            n.p(self.f.ipv4() if r.random() < 0.8 else self.f.ipv6(), "IP")
        n.t(".\n")

    def _progress(self, n: Note) -> None:
        p = self.person()
        self._header(n, p, self.r.choice(["PROGRESS NOTE", "Clinic Note", "Office Visit"]))
        self._hpi(n, p)
        n.t("Medications:\n" + "; ".join(self.r.sample(DRUGS, 3)) + "\n\n")
        n.t("PHYSICAL EXAM:\n")
        self.filler(n, 3)
        n.t("\n\n")
        self._social(n, p)
        self._plan(n)
        if self.r.random() < 0.5:
            self._misc_ids(n)
        self._signature(n)

    def _discharge(self, n: Note) -> None:
        r = self.r
        p = self.person()
        self._header(n, p, "DISCHARGE SUMMARY")
        n.t("Admitted: ")
        self.date(n)
        n.t("   Discharged: ")
        self.date(n)
        n.t("\nAdmitting facility: ").p(self.facility(), "FACILITY").t("\n\n")
        self._hpi(n, p)
        n.t("Hospital Course:\n")
        self.filler(n, r.randint(3, 6))
        n.t("\n\n")
        self._social(n, p)
        self._plan(n)
        if r.random() < 0.4:
            self._insurance(n)
        self._misc_ids(n)
        self._signature(n)

    def _radiology(self, n: Note) -> None:
        r = self.r
        p = self.person()
        self._header(n, p, r.choice(["RADIOLOGY REPORT", "CT CHEST WITH CONTRAST", "MRI BRAIN"]))
        n.t("Comparison: prior study dated ")
        self.date(n)
        n.t(".\nFINDINGS:\n")
        self.filler(n, 3)
        n.t("\nIMPRESSION: ")
        self.filler(n, 1)
        n.t("\nReferring physician: ")
        self.clinician(n)
        n.t("\nAccession #: ").p(f"{self.alnum_id(2, 8)}", "ID").t("\n")
        self._signature(n)

    def _ed(self, n: Note) -> None:
        r = self.r
        p = self.person()
        self._header(n, p, "EMERGENCY DEPARTMENT NOTE")
        self._hpi(n, p)
        if r.random() < 0.5:
            self._misc_ids(n)
        n.t("Brought in by ambulance from ")
        self.address_block(n)
        n.t(".\n")
        self.filler(n, 3)
        n.t("\n")
        self._plan(n)
        self._signature(n)

    def _letter(self, n: Note) -> None:
        r = self.r
        p = self.person()
        n.p(self.facility(), "FACILITY").t("\n")
        self.address_block(n)
        n.t("\nTel ").p(self.phone(), "PHONE").t("   Fax ").p(self.phone(), "FAX").t("\n\n")
        self.date(n)
        n.t("\n\nDear ")
        self.clinician(n)
        n.t(",\n\nThank you for referring ")
        self.name(n, p, r.choice(["fl", "l_title", "fml"]))
        n.t(", DOB ")
        self.put_date(n, self.date_str(1925, 2000))
        n.t(", whom I saw in consultation on ")
        self.date(n)
        n.t(". ")
        self.filler(n, r.randint(3, 5))
        n.t("\n\nSincerely,\n\n")
        self.clinician(n)
        n.t("\n")

    def _phone_note(self, n: Note) -> None:
        r = self.r
        p = self.person()
        n.t("TELEPHONE ENCOUNTER ")
        self.date(n)
        n.t("\nCaller: ")
        q = self.person()
        self.name(n, q, r.choice(["fl", "f"]))
        n.t(f", {r.choice(['daughter', 'son', 'wife', 'caregiver'])} of ")
        self.name(n, p, r.choice(["fl", "lf", "LF"]))
        n.t(" (MRN ").p(self.alnum_id(0, 8), "MRN").t(")\nCallback: ").p(self.phone(), "PHONE")
        n.t("\n")
        self.filler(n, 2)
        n.t("Spoke with ").p(q["first"], "NAME").t("; ")
        self.filler(n, 1)
        n.t("\n")
        self._signature(n)

    def _pathology(self, n: Note) -> None:
        r = self.r
        p = self.person()
        self._header(n, p, "SURGICAL PATHOLOGY REPORT")
        n.t("Specimen ID: ").p(f"S{r.randint(20, 25)}-{r.randint(1000, 99999)}", "ID")
        n.t("\nCollected: ")
        self.date(n)
        n.t("   Received: ")
        self.date(n)
        n.t("\nSubmitting facility: ").p(self.facility(), "FACILITY")
        n.t("\nDIAGNOSIS: ")
        self.filler(n, 2)
        n.t("\n")
        self._signature(n)

    def _operative(self, n: Note) -> None:
        r = self.r
        p = self.person()
        self._header(n, p, "OPERATIVE REPORT")
        n.t("Surgeon: ")
        self.clinician(n)
        n.t("\nAssistant: ")
        self.clinician(n)
        n.t("\nDate of surgery: ")
        self.date(n)
        n.t("\nPROCEDURE: ")
        self.filler(n, 3)
        if r.random() < 0.6:
            self._misc_ids(n)
        n.t("\n")
        self._signature(n)

    def _registration(self, n: Note) -> None:
        r = self.r
        p = self.person()
        n.t("REGISTRATION / INSURANCE VERIFICATION\n")
        n.t("Name: ")
        self.name(n, p, r.choice(["LF", "lf", "fml"]))
        n.t("\nDOB: ")
        self.put_date(n, self.date_str(1920, 2010))
        n.t(f"   Sex: {p['sex']}\nAddress: ")
        self.address_block(n)
        n.t("\nPhone: ").p(self.phone(), "PHONE")
        if r.random() < 0.6:
            n.t("\nEmail: ").p(ascii_fold(self.f.email()), "EMAIL")
        n.t("\n")
        self._insurance(n)
        if r.random() < 0.5:
            self._misc_ids(n)
        n.t("Guarantor: ")
        self.name(n, self.person(), r.choice(["fl", "lf"]))
        n.t("\n")

    def _telehealth(self, n: Note) -> None:
        p = self.person()
        self._header(n, p, "TELEHEALTH VISIT")
        n.t("Video visit; patient located at home in ")
        city, st, z, county = self.place()
        n.p(city, "LOCATION").t(f", {STATES[st]}. Session IP ")
        n.p(self.f.ipv4(), "IP").t(". Patient portal: ")
        n.p(f"https://{self.f.domain_name()}/mychart", "URL").t("\n")
        self._hpi(n, p)
        self._plan(n)
        self._signature(n)

    def _nursing(self, n: Note) -> None:
        r = self.r
        p = self.person()
        n.t("NURSING NOTE ")
        self.date(n)
        n.t(" 14:30\n")
        self.name(n, p, r.choice(["l_title", "fl", "f"]))
        n.t(" resting comfortably. ")
        self.filler(n, 3)
        n.t("Family at bedside: ")
        rel = r.choice(["daughter", "son", "husband", "wife"])
        n.t(f"{rel} ")
        self.name(n, self.person(), r.choice(["f", "fl"]))
        n.t(". ")
        if r.random() < 0.5:
            n.t("Patient is ")
            self.age(n, p["sex"])
            n.t("woman at high fall risk. ")
        n.t("\n")
        self.clinician(n)
        n.t("\n")

    def _phi_free(self, n: Note) -> None:
        r = self.r
        for _ in range(r.randint(2, 5)):
            n.t(r.choice(SECTION_HEADERS) + "\n")
            self.filler(n, r.randint(2, 6))
            n.t("\n\n")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _size(s: str) -> int:
    s = s.upper()
    for unit, mult in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if s.endswith(unit):
            return int(float(s[:-2]) * mult)
    return int(s)


def generate(seed: int, count: int) -> list[dict[str, object]]:
    g = Gen(seed)
    return [g.note(i) for i in range(count)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=20251122)
    ap.add_argument("--notes", type=int, default=2000)
    ap.add_argument("--bytes", help="instead of --notes: write until the file holds this much (e.g. 50MB); "
                                    "cycles through 3000 generated notes with fresh ids")
    ap.add_argument("--out", default="-")
    args = ap.parse_args(argv)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    try:
        if args.bytes:
            target = _size(args.bytes)
            pool = generate(args.seed, 3000)
            written = 0
            i = 0
            while written < target:
                rec = dict(pool[i % len(pool)])
                rec["id"] = f"note-{i:07d}"
                line = json.dumps(rec) + "\n"
                out.write(line)
                written += len(line.encode("utf-8"))
                i += 1
        else:
            g = Gen(args.seed)
            for i in range(args.notes):
                out.write(json.dumps(g.note(i)) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    Path("bench/out").mkdir(parents=True, exist_ok=True)
    raise SystemExit(main())
