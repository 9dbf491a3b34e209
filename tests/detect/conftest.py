"""A mini mirror for detection tests: a small ICD-10-CM tabular and index written into a temp folder.

The shared fixture tabular (tests/data) holds only a few codes; detection needs symptoms, laterality,
7th characters and Excludes1 pairs, so this builds its own mirror (copying the shared one and replacing
its ICD-10-CM files) and a KB from it once per session.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"

_S82_7TH = {"A": "initial encounter for closed fracture", "B": "initial encounter for open fracture type I or II",
            "D": "subsequent encounter for closed fracture with routine healing",
            "G": "subsequent encounter for closed fracture with delayed healing", "S": "sequela"}

def _trimesters(code: str, title: str, first: str, second: str, third: str, unspecified: str) -> list:
    """The trimester children of a chapter 15 subcategory, each with its final character."""
    return [(code + ch, f"{title}, {when} trimester", [], {})
            for ch, when in ((first, "first"), (second, "second"), (third, "third"), (unspecified, "unspecified"))]


# (code, title, children, extras) — extras: inclusion terms, excludes1 notes, seventh-character table.
TREE = [
    ("C50", "Malignant neoplasm of breast", [
        ("C50.9", "Malignant neoplasm of breast of unspecified site", [
            ("C50.91", "Malignant neoplasm of breast of unspecified site, female", [
                ("C50.911", "Malignant neoplasm of unspecified site of right female breast", [], {}),
                ("C50.912", "Malignant neoplasm of unspecified site of left female breast", [], {}),
                ("C50.919", "Malignant neoplasm of unspecified site of unspecified female breast", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("C80", "Malignant neoplasm without specification of site", [
        ("C80.1", "Malignant (primary) neoplasm, unspecified", [], {}),
    ], {}),
    ("C91", "Lymphoid leukemia", [
        ("C91.1", "Chronic lymphocytic leukemia of B-cell type", [
            ("C91.10", "Chronic lymphocytic leukemia of B-cell type not having achieved remission", [],
             {"inclusion": ["Chronic lymphocytic leukemia of B-cell type NOS"]}),
            ("C91.11", "Chronic lymphocytic leukemia of B-cell type in remission", [], {}),
            ("C91.12", "Chronic lymphocytic leukemia of B-cell type in relapse", [], {}),
        ], {}),
    ], {}),
    ("C79", "Secondary malignant neoplasm of other and unspecified sites", [
        ("C79.5", "Secondary malignant neoplasm of bone and bone marrow", [
            ("C79.51", "Secondary malignant neoplasm of bone", [], {}),
        ], {}),
        ("C79.8", "Secondary malignant neoplasm of other specified sites", [
            ("C79.81", "Secondary malignant neoplasm of breast", [], {}),
        ], {}),
    ], {}),
    ("E09", "Drug or chemical induced diabetes mellitus", [
        ("E09.9", "Drug or chemical induced diabetes mellitus without complications", [], {}),
    ], {}),
    ("E10", "Type 1 diabetes mellitus", [
        ("E10.9", "Type 1 diabetes mellitus without complications", [], {}),
    ], {"excludes1": ["type 2 diabetes mellitus (E11.-)"]}),
    ("E11", "Type 2 diabetes mellitus", [
        ("E11.2", "Type 2 diabetes mellitus with kidney complications", [
            ("E11.22", "Type 2 diabetes mellitus with diabetic chronic kidney disease", [], {}),
        ], {}),
        ("E11.6", "Type 2 diabetes mellitus with other specified complications", [
            ("E11.65", "Type 2 diabetes mellitus with hyperglycemia", [], {}),
        ], {}),
        ("E11.9", "Type 2 diabetes mellitus without complications", [], {}),
    ], {"excludes1": ["type 1 diabetes mellitus (E10.-)"]}),
    ("E13", "Other specified diabetes mellitus", [
        ("E13.9", "Other specified diabetes mellitus without complications", [], {}),
    ], {}),
    ("E66", "Overweight and obesity", [("E66.9", "Obesity, unspecified", [], {})], {}),
    ("H04", "Disorders of lacrimal system", [
        ("H04.2", "Epiphora", [
            ("H04.20", "Unspecified epiphora", [
                ("H04.201", "Unspecified epiphora, right lacrimal gland", [], {}),
                ("H04.202", "Unspecified epiphora, left lacrimal gland", [], {}),
                ("H04.203", "Unspecified epiphora, bilateral lacrimal glands", [], {}),
                ("H04.209", "Unspecified epiphora, unspecified lacrimal gland", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("B95", "Streptococcus, Staphylococcus, and Enterococcus as the cause of diseases classified elsewhere", [
        ("B95.6", "Staphylococcus aureus as the cause of diseases classified elsewhere", [
            ("B95.61", ("Methicillin susceptible Staphylococcus aureus infection as the cause of diseases "
                        "classified elsewhere"), [], {}),
        ], {}),
    ], {}),
    ("Z17", "Estrogen receptor status", [
        ("Z17.0", "Estrogen receptor positive status [ER+]", [], {}),
    ], {}),
    ("H93", "Other disorders of ear, not elsewhere classified", [
        ("H93.1", "Tinnitus", [
            ("H93.11", "Tinnitus, right ear", [], {}),
            ("H93.12", "Tinnitus, left ear", [], {}),
            ("H93.13", "Tinnitus, bilateral", [], {}),
            ("H93.19", "Tinnitus, unspecified ear", [], {}),
        ], {}),
    ], {}),
    ("F17", "Nicotine dependence", [
        ("F17.2", "Nicotine dependence", [
            ("F17.20", "Nicotine dependence, unspecified", [
                ("F17.200", "Nicotine dependence, unspecified, uncomplicated", [], {}),
                ("F17.201", "Nicotine dependence, unspecified, in remission", [], {}),
            ], {}),
            ("F17.21", "Nicotine dependence, cigarettes", [
                ("F17.210", "Nicotine dependence, cigarettes, uncomplicated", [], {}),
                ("F17.211", "Nicotine dependence, cigarettes, in remission", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("I10", "Essential (primary) hypertension", [], {"inclusion": ["High blood pressure", "Hypertension (arterial) (benign) (essential) (malignant) (primary) (systemic)"]}),
    ("I50", "Heart failure", [
        ("I50.3", "Diastolic (congestive) heart failure", [
            ("I50.30", "Unspecified diastolic (congestive) heart failure", [], {}),
            ("I50.32", "Chronic diastolic (congestive) heart failure", [], {}),
        ], {}),
    ], {}),
    ("I12", "Hypertensive chronic kidney disease", [
        ("I12.0", "Hypertensive chronic kidney disease with stage 5 chronic kidney disease or end stage renal disease", [], {}),
        ("I12.9", "Hypertensive chronic kidney disease with stage 1 through stage 4 chronic kidney disease, or unspecified chronic kidney disease", [], {}),
    ], {}),
    ("J11", "Influenza due to unidentified influenza virus", [
        ("J11.0", "Influenza due to unidentified influenza virus with pneumonia", [
            ("J11.00", "Influenza due to unidentified influenza virus with unspecified type of pneumonia", [], {}),
        ], {}),
        ("J11.1", "Influenza due to unidentified influenza virus with other respiratory manifestations", [], {}),
    ], {}),
    ("J18", "Pneumonia, unspecified organism", [
        ("J18.9", "Pneumonia, unspecified organism", [], {}),
    ], {}),
    ("M25", "Other joint disorder, not elsewhere classified", [
        ("M25.4", "Effusion of joint", [
            ("M25.46", "Effusion, knee", [
                ("M25.461", "Effusion, right knee", [], {}),
                ("M25.462", "Effusion, left knee", [], {}),
                ("M25.469", "Effusion, unspecified knee", [], {}),
            ], {}),
            ("M25.48", "Effusion, other site", [], {}),
        ], {}),
        ("M25.5", "Pain in joint", [
            ("M25.56", "Pain in knee", [
                ("M25.561", "Pain in right knee", [], {}),
                ("M25.562", "Pain in left knee", [], {}),
                ("M25.569", "Pain in unspecified knee", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("G90", "Disorders of autonomic nervous system", [
        ("G90.5", "Complex regional pain syndrome I (CRPS I)", [
            ("G90.50", "Complex regional pain syndrome I, unspecified", [], {}),
            ("G90.52", "Complex regional pain syndrome I of lower limb", [
                ("G90.521", "Complex regional pain syndrome I of right lower limb", [], {}),
                ("G90.522", "Complex regional pain syndrome I of left lower limb", [], {}),
                ("G90.523", "Complex regional pain syndrome I of lower limb, bilateral", [], {}),
                ("G90.529", "Complex regional pain syndrome I of unspecified lower limb", [], {}),
            ], {}),
        ], {"inclusion": ["Reflex sympathetic dystrophy"]}),
    ], {}),
    ("N18", "Chronic kidney disease (CKD)", [
        ("N18.3", "Chronic kidney disease, stage 3 (moderate)", [
            ("N18.30", "Chronic kidney disease, stage 3 unspecified", [], {}),
            ("N18.31", "Chronic kidney disease, stage 3a", [], {}),
            ("N18.32", "Chronic kidney disease, stage 3b", [], {}),
        ], {}),
        ("N18.2", "Chronic kidney disease, stage 2 (mild)", [], {}),
        ("N18.9", "Chronic kidney disease, unspecified", [], {}),
    ], {}),
    ("O09", "Supervision of high risk pregnancy", [
        ("O09.5", "Supervision of elderly primigravida and multigravida", [
            ("O09.52", "Supervision of elderly multigravida", [
                ("O09.521", "Supervision of elderly multigravida, first trimester", [], {}),
                ("O09.522", "Supervision of elderly multigravida, second trimester", [], {}),
                ("O09.523", "Supervision of elderly multigravida, third trimester", [], {}),
                ("O09.529", "Supervision of elderly multigravida, unspecified trimester", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("O10", "Pre-existing hypertension complicating pregnancy, childbirth and the puerperium", [
        ("O10.0", "Pre-existing essential hypertension complicating pregnancy, childbirth and the puerperium", [
            ("O10.01", "Pre-existing essential hypertension complicating pregnancy",
             _trimesters("O10.01", "Pre-existing essential hypertension complicating pregnancy", "1", "2", "3", "9"), {}),
            ("O10.02", "Pre-existing essential hypertension complicating childbirth", [], {}),
            ("O10.03", "Pre-existing essential hypertension complicating the puerperium", [], {}),
        ], {}),
    ], {}),
    ("O13", "Gestational [pregnancy-induced] hypertension without significant proteinuria", [
        ("O13.9", "Gestational [pregnancy-induced] hypertension without significant proteinuria, unspecified trimester", [], {}),
    ], {}),
    ("O23", "Infections of genitourinary tract in pregnancy", [
        ("O23.4", "Unspecified infection of urinary tract in pregnancy",
         _trimesters("O23.4", "Unspecified infection of urinary tract in pregnancy", "1", "2", "3", "0"), {}),
        ("O23.9", "Unspecified genitourinary tract infection in pregnancy",
         _trimesters("O23.9", "Unspecified genitourinary tract infection in pregnancy", "1", "2", "3", "0"), {}),
    ], {}),
    ("O24", "Diabetes mellitus in pregnancy, childbirth, and the puerperium", [
        ("O24.4", "Gestational diabetes mellitus", [
            ("O24.41", "Gestational diabetes mellitus in pregnancy", [
                ("O24.410", "Gestational diabetes mellitus in pregnancy, diet controlled", [], {}),
                ("O24.414", "Gestational diabetes mellitus in pregnancy, insulin controlled", [], {}),
                ("O24.415", "Gestational diabetes mellitus in pregnancy, controlled by oral hypoglycemic drugs", [], {}),
                ("O24.419", "Gestational diabetes mellitus in pregnancy, unspecified control", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("N39", "Other disorders of urinary system", [
        ("N39.0", "Urinary tract infection, site not specified", [], {}),
        ("N39.3", "Stress incontinence (female) (male)", [], {}),
    ], {}),
    ("B20", "Human immunodeficiency virus [HIV] disease", [], {}),
    ("O09", "Supervision of high risk pregnancy", [
        ("O09.2", "Supervision of pregnancy with other poor reproductive or obstetric history", [
            ("O09.21", "Supervision of pregnancy with history of pre-term labor",
             _trimesters("O09.21", "Supervision of pregnancy with history of pre-term labor", "1", "2", "3", "9"), {}),
            ("O09.29", "Supervision of pregnancy with other poor reproductive or obstetric history",
             _trimesters("O09.29", "Supervision of pregnancy with other poor reproductive or obstetric history",
                         "1", "2", "3", "9"), {}),
        ], {}),
    ], {}),
    ("O14", "Pre-eclampsia", [
        ("O14.9", "Unspecified pre-eclampsia", [
            ("O14.90", "Unspecified pre-eclampsia, unspecified trimester", [], {}),
            ("O14.92", "Unspecified pre-eclampsia, second trimester", [], {}),
            ("O14.93", "Unspecified pre-eclampsia, third trimester", [], {}),
        ], {}),
    ], {}),
    ("O34", "Maternal care for abnormality of pelvic organs", [
        ("O34.2", "Maternal care due to uterine scar from previous surgery", [
            ("O34.21", "Maternal care for scar from previous cesarean delivery", [
                ("O34.211", "Maternal care for low transverse scar from previous cesarean delivery", [], {}),
                ("O34.212", "Maternal care for vertical scar from previous cesarean delivery", [], {}),
                ("O34.219", "Maternal care for unspecified type scar from previous cesarean delivery", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("Z98", "Other postprocedural states", [
        ("Z98.8", "Other specified postprocedural states", [
            ("Z98.89", "Other specified postprocedural states", [
                ("Z98.891", "History of uterine scar from previous surgery", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("O72", "Postpartum hemorrhage", [
        ("O72.0", "Third-stage hemorrhage", [], {}),
        ("O72.1", "Other immediate postpartum hemorrhage", [], {}),
    ], {}),
    ("D62", "Acute posthemorrhagic anemia", [], {}),
    ("O76", "Abnormality in fetal heart rate and rhythm complicating labor and delivery", [], {}),
    ("O90", "Complications of the puerperium, not elsewhere classified", [
        ("O90.8", "Other complications of the puerperium, not elsewhere classified", [
            ("O90.81", "Anemia of the puerperium", [], {}),
        ], {}),
    ], {}),
    ("E87", "Other disorders of fluid, electrolyte and acid-base balance", [
        ("E87.1", "Hypo-osmolality and hyponatremia", [], {}),
        ("E87.5", "Hyperkalemia", [], {}),
        ("E87.6", "Hypokalemia", [], {}),
    ], {}),
    ("Z3A", "Weeks of gestation", [
        ("Z3A.2", "Weeks of gestation of pregnancy, weeks 20-29", [
            ("Z3A.20", "20 weeks gestation of pregnancy", [], {}),
        ], {}),
        ("Z3A.3", "Weeks of gestation of pregnancy, weeks 30-39", [
            ("Z3A.39", "39 weeks gestation of pregnancy", [], {}),
        ], {}),
    ], {}),
    ("Z37", "Outcome of delivery", [("Z37.0", "Single live birth", [], {})], {}),
    ("Z38", "Liveborn infants according to place of birth and type of delivery", [
        ("Z38.0", "Single liveborn infant, born in hospital", [
            ("Z38.00", "Single liveborn infant, delivered vaginally", [], {}),
            ("Z38.01", "Single liveborn infant, delivered by cesarean", [], {}),
        ], {}),
    ], {}),
    ("P05", "Disorders of newborn related to slow fetal growth and fetal malnutrition", [
        ("P05.1", "Newborn small for gestational age", [
            ("P05.10", "Newborn small for gestational age, unspecified weight", [], {}),
            ("P05.18", "Newborn small for gestational age, 2000-2499 grams", [], {}),
            ("P05.19", "Newborn small for gestational age, other", [], {}),
        ], {}),
    ], {}),
    ("Z22", "Carrier of infectious disease", [
        ("Z22.3", "Carrier of other specified bacterial diseases", [
            ("Z22.33", "Carrier of streptococcus", [("Z22.330", "Carrier of streptococcus group B", [], {})], {}),
        ], {}),
    ], {}),
    ("O99", "Other maternal diseases classifiable elsewhere but complicating pregnancy, childbirth and the puerperium", [
        ("O99.8", "Other specified diseases and conditions complicating pregnancy, childbirth and the puerperium", [
            ("O99.82", "Streptococcus B carrier state complicating pregnancy, childbirth and the puerperium", [
                ("O99.820", "Streptococcus B carrier state complicating pregnancy", [], {}),
                ("O99.824", "Streptococcus B carrier state complicating childbirth", [], {}),
                ("O99.825", "Streptococcus B carrier state complicating the puerperium", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("P74", "Other transitory neonatal electrolyte and metabolic disturbances", [
        ("P74.2", "Disturbances of sodium balance of newborn", [
            ("P74.22", "Hyponatremia of newborn", [], {}),
        ], {}),
    ], {}),
    ("N93", "Other abnormal uterine and vaginal bleeding", [
        ("N93.9", "Abnormal uterine and vaginal bleeding, unspecified", [], {}),
    ], {}),
    ("O20", "Hemorrhage in early pregnancy", [("O20.9", "Hemorrhage in early pregnancy, unspecified", [], {})], {}),
    ("O21", "Excessive vomiting in pregnancy", [("O21.9", "Vomiting of pregnancy, unspecified", [], {})], {}),
    ("R11", "Nausea and vomiting", [
        ("R11.0", "Nausea", [], {}),
        ("R11.1", "Vomiting", [("R11.10", "Vomiting, unspecified", [], {})], {}),
        ("R11.2", "Nausea with vomiting, unspecified", [], {}),
    ], {}),
    ("O46", "Antepartum hemorrhage, not elsewhere classified", [
        ("O46.9", "Antepartum hemorrhage, unspecified",
         _trimesters("O46.9", "Antepartum hemorrhage, unspecified", "1", "2", "3", "0"), {}),
    ], {}),
    ("R68", "Other general symptoms and signs", [
        ("R68.8", "Other general symptoms and signs", [("R68.83", "Chills (without fever)", [], {})], {}),
    ], {}),
    ("J12", "Viral pneumonia, not elsewhere classified", [
        ("J12.8", "Other viral pneumonia", [("J12.82", "Pneumonia due to coronavirus disease 2019", [], {})], {}),
    ], {}),
    ("R05", "Cough", [("R05.9", "Cough, unspecified", [], {})], {}),
    ("R63", "Symptoms and signs concerning food and fluid intake", [
        ("R63.4", "Abnormal weight loss", [], {}),
        ("R63.5", "Abnormal weight gain", [], {}),
    ], {}),
    ("R53", "Malaise and fatigue", [
        ("R53.8", "Other malaise and fatigue", [("R53.83", "Other fatigue", [], {"inclusion": ["Tiredness"]})], {}),
    ], {}),
    ("R06", "Abnormalities of breathing", [
        ("R06.0", "Dyspnea", [("R06.02", "Shortness of breath", [], {})], {}),
    ], {}),
    ("R07", "Pain in throat and chest", [
        ("R07.9", "Chest pain, unspecified", [], {}),
    ], {}),
    ("R00", "Abnormalities of heart beat", [("R00.0", "Tachycardia, unspecified", [], {})], {}),
    ("R94", "Abnormal results of function studies", [
        ("R94.3", "Abnormal results of cardiovascular function studies", [
            ("R94.31", "Abnormal electrocardiogram [ECG] [EKG]", [], {}),
        ], {}),
    ], {}),
    ("R09", "Other symptoms and signs involving the circulatory and respiratory system", [
        ("R09.0", "Asphyxia and hypoxemia", [("R09.02", "Hypoxemia", [], {})], {}),
    ], {}),
    ("K90", "Intestinal malabsorption", [("K90.0", "Celiac disease", [], {})], {}),
    ("B25", "Cytomegaloviral disease", [("B25.9", "Cytomegaloviral disease, unspecified", [], {})], {}),
    ("I95", "Hypotension", [("I95.1", "Orthostatic hypotension", [], {}), ("I95.9", "Hypotension, unspecified", [], {})], {}),
    ("R50", "Fever of other and unknown origin", [("R50.9", "Fever, unspecified", [], {"inclusion": ["Pyrexia NOS"]})], {}),
    ("R51", "Headache", [("R51.9", "Headache, unspecified", [], {})], {}),
    ("R52", "Pain, unspecified", [], {}),
    ("M79", "Other and unspecified soft tissue disorders, not elsewhere classified", [
        ("M79.6", "Pain in limb, hand, foot, fingers and toes", [
            ("M79.67", "Pain in foot and toes", [
                ("M79.671", "Pain in right foot", [], {}),
                ("M79.672", "Pain in left foot", [], {}),
                ("M79.673", "Pain in unspecified foot", [], {}),
                ("M79.674", "Pain in right toe(s)", [], {}),
                ("M79.675", "Pain in left toe(s)", [], {}),
                ("M79.676", "Pain in unspecified toe(s)", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("S82", "Fracture of lower leg, including ankle", [
        ("S82.0", "Fracture of patella", [
            ("S82.00", "Unspecified fracture of patella", [
                ("S82.001", "Unspecified fracture of right patella", [], {}),
                ("S82.002", "Unspecified fracture of left patella", [], {}),
                ("S82.009", "Unspecified fracture of unspecified patella", [], {}),
            ], {}),
        ], {}),
        ("S82.3", "Fracture of lower end of tibia", [
            ("S82.30", "Unspecified fracture of lower end of tibia", [
                ("S82.301", "Unspecified fracture of lower end of right tibia", [], {}),
                ("S82.302", "Unspecified fracture of lower end of left tibia", [], {}),
                ("S82.309", "Unspecified fracture of lower end of unspecified tibia", [], {}),
            ], {}),
        ], {}),
    ], {"seventh": _S82_7TH}),
    ("K21", "Gastro-esophageal reflux disease", [
        ("K21.9", "Gastro-esophageal reflux disease without esophagitis", [], {}),
    ], {}),
    ("Z23", "Encounter for immunization", [], {}),
    ("Z66", "Do not resuscitate", [], {}),
    ("Z79", "Long term (current) drug therapy", [
        ("Z79.0", "Long term (current) use of anticoagulants and antithrombotics/antiplatelets", [
            ("Z79.01", "Long term (current) use of anticoagulants", [], {}),
        ], {}),
        ("Z79.2", "Long term (current) use of antibiotics", [], {}),
        ("Z79.4", "Long term (current) use of insulin", [], {}),
        ("Z79.5", "Long term (current) use of steroids", [
            ("Z79.51", "Long term (current) use of inhaled steroids", [], {}),
        ], {}),
        ("Z79.8", "Other long term (current) drug therapy", [
            ("Z79.89", "Other long term (current) drug therapy", [
                ("Z79.899", "Other long term (current) drug therapy", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("Z87", "Personal history of other diseases and conditions", [
        ("Z87.8", "Personal history of other specified conditions", [
            ("Z87.89", "Personal history of other specified conditions", [
                ("Z87.891", "Personal history of nicotine dependence", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("Z88", "Allergy status to drugs, medicaments and biological substances", [
        ("Z88.0", "Allergy status to penicillin", [], {}),
    ], {}),
    ("Z95", "Presence of cardiac and vascular implants and grafts", [
        ("Z95.1", "Presence of aortocoronary bypass graft", [], {}),
    ], {}),
    ("Z96", "Presence of other functional implants", [
        ("Z96.6", "Presence of orthopedic joint implants", [
            ("Z96.65", "Presence of artificial knee joint", [
                ("Z96.651", "Presence of right artificial knee joint", [], {}),
                ("Z96.652", "Presence of left artificial knee joint", [], {}),
                ("Z96.653", "Presence of artificial knee joint, bilateral", [], {}),
                ("Z96.659", "Presence of unspecified artificial knee joint", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("Z68", "Body mass index [BMI]", [
        ("Z68.1", "Body mass index [BMI] 19.9 or less, adult", [], {}),
        ("Z68.3", "Body mass index [BMI] 30-39, adult", [
            ("Z68.33", "Body mass index [BMI] 33.0-33.9, adult", [], {}),
        ], {}),
    ], {}),
    ("Z22", "Carrier of infectious disease", [
        ("Z22.7", "Latent tuberculosis", [], {}),
    ], {}),
    ("Z67", "Blood type", [
        ("Z67.9", "Unspecified blood type", [
            ("Z67.91", "Unspecified blood type, Rh negative", [], {}),
        ], {}),
    ], {}),
    ("I85", "Esophageal varices", [
        ("I85.0", "Esophageal varices", [("I85.00", "Esophageal varices without bleeding", [], {})], {}),
        ("I85.1", "Secondary esophageal varices", [("I85.10", "Secondary esophageal varices without bleeding", [], {})], {}),
    ], {}),
    ("K70", "Alcoholic liver disease", [
        ("K70.3", "Alcoholic cirrhosis of liver", [("K70.30", "Alcoholic cirrhosis of liver without ascites", [], {})], {}),
    ], {}),
    ("Z90", "Acquired absence of organs, not elsewhere classified", [
        ("Z90.4", "Acquired absence of other specified parts of digestive tract", [
            ("Z90.49", "Acquired absence of other specified parts of digestive tract", [], {}),
        ], {}),
        ("Z90.7", "Acquired absence of genital organ(s)", [
            ("Z90.71", "Acquired absence of cervix and uterus", [
                ("Z90.710", "Acquired absence of both cervix and uterus", [], {}),
            ], {}),
            ("Z90.72", "Acquired absence of ovaries", [
                ("Z90.722", "Acquired absence of ovaries, bilateral", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("F84", "Pervasive developmental disorders", [("F84.0", "Autistic disorder", [], {})], {}),
    ("R29", "Other symptoms and signs involving the nervous and musculoskeletal systems", [
        ("R29.6", "Repeated falls", [], {}),
    ], {}),
    ("E86", "Volume depletion", [("E86.0", "Dehydration", [], {})], {}),
    ("A41", "Other sepsis", [
        ("A41.5", "Sepsis due to other Gram-negative organisms", [
            ("A41.51", "Sepsis due to Escherichia coli [E. coli]", [], {}),
        ], {}),
        ("A41.9", "Sepsis, unspecified organism", [], {}),
    ], {}),
    ("B96", "Other bacterial agents as the cause of diseases classified elsewhere", [
        ("B96.2", "Escherichia coli [E. coli ] as the cause of diseases classified elsewhere", [
            ("B96.20", "Unspecified Escherichia coli [E. coli] as the cause of diseases classified elsewhere", [],
             {"inclusion": ["Escherichia coli [E. coli] NOS"]}),
        ], {}),
    ], {}),
    ("Z91", "Personal risk factors, not elsewhere classified", [
        ("Z91.8", "Other specified personal risk factors, not elsewhere classified", [
            ("Z91.81", "History of falling", [], {}),
        ], {}),
    ], {}),
    ("R64", "Cachexia", [], {}),
    ("R17", "Unspecified jaundice", [], {}),
    ("P59", "Neonatal jaundice from other and unspecified causes", [
        ("P59.9", "Neonatal jaundice, unspecified", [], {}),
    ], {}),
    ("P00", "Newborn affected by maternal conditions that may be unrelated to present pregnancy", [
        ("P00.0", "Newborn affected by maternal hypertensive disorders", [], {}),
        ("P00.8", "Newborn affected by other maternal conditions", [
            ("P00.82", "Newborn affected by (positive) maternal group B streptococcus (GBS) colonization", [], {}),
            ("P00.89", "Newborn affected by other maternal conditions", [], {}),
        ], {}),
    ], {}),
    ("P04", "Newborn affected by noxious substances transmitted via placenta or breast milk", [
        ("P04.2", "Newborn affected by maternal use of tobacco", [], {}),
    ], {}),
    ("P07", "Disorders of newborn related to short gestation and low birth weight, not elsewhere classified", [
        ("P07.0", "Extremely low birth weight newborn", [
            ("P07.03", "Extremely low birth weight newborn, 750-999 grams", [], {}),
        ], {}),
        ("P07.1", "Other low birth weight newborn", [
            ("P07.18", "Other low birth weight newborn, 2000-2499 grams", [], {}),
        ], {}),
        ("P07.2", "Extreme immaturity of newborn", [
            ("P07.25", "Extreme immaturity of newborn, gestational age 26 completed weeks", [], {}),
        ], {}),
        ("P07.3", "Preterm [premature] newborn [other]", [
            ("P07.30", "Preterm newborn, unspecified weeks of gestation", [], {}),
            ("P07.38", "Preterm newborn, gestational age 35 completed weeks", [], {}),
        ], {}),
    ], {}),
    ("R60", "Edema, not elsewhere classified", [
        ("R60.9", "Edema, unspecified", [], {}),
    ], {}),
    ("M17", "Osteoarthritis of knee", [
        ("M17.0", "Bilateral primary osteoarthritis of knee", [], {}),
        ("M17.1", "Unilateral primary osteoarthritis of knee", [
            ("M17.10", "Unilateral primary osteoarthritis, unspecified knee", [], {}),
            ("M17.11", "Unilateral primary osteoarthritis, right knee", [], {}),
            ("M17.12", "Unilateral primary osteoarthritis, left knee", [], {}),
        ], {}),
    ], {}),
    ("L03", "Cellulitis and acute lymphangitis", [
        ("L03.1", "Cellulitis and acute lymphangitis of other parts of limb", [
            ("L03.11", "Cellulitis of other parts of limb", [
                ("L03.111", "Cellulitis of right axilla", [], {}),
                ("L03.112", "Cellulitis of left axilla", [], {}),
                ("L03.115", "Cellulitis of right lower limb", [], {}),
                ("L03.116", "Cellulitis of left lower limb", [], {}),
                ("L03.119", "Cellulitis of unspecified part of limb", [], {}),
            ], {}),
        ], {}),
    ], {}),
    ("N63", "Unspecified lump in breast", [
        ("N63.0", "Unspecified lump in unspecified breast", [], {}),
        ("N63.2", "Unspecified lump in the left breast", [
            ("N63.20", "Unspecified lump in the left breast, unspecified quadrant", [], {}),
            ("N63.21", "Unspecified lump in the left breast, upper outer quadrant", [], {}),
        ], {}),
    ], {}),
    ("K65", "Peritonitis", [("K65.2", "Spontaneous bacterial peritonitis", [], {})], {}),
    ("G81", "Hemiplegia and hemiparesis", [
        ("G81.9", "Hemiplegia, unspecified", [
            ("G81.90", "Hemiplegia, unspecified affecting unspecified side", [], {}),
            ("G81.91", "Hemiplegia, unspecified affecting right dominant side", [], {}),
            ("G81.94", "Hemiplegia, unspecified affecting left nondominant side", [], {}),
        ], {}),
    ], {}),
    ("R47", "Speech disturbances, not elsewhere classified", [
        ("R47.0", "Dysphasia and aphasia", [("R47.01", "Aphasia", [], {})], {}),
    ], {}),
    ("I61", "Nontraumatic intracerebral hemorrhage", [
        ("I61.9", "Nontraumatic intracerebral hemorrhage, unspecified", [], {}),
    ], {}),
    ("I63", "Cerebral infarction", [("I63.9", "Cerebral infarction, unspecified", [], {})], {}),
    ("I69", "Sequelae of cerebrovascular disease", [
        ("I69.1", "Sequelae of nontraumatic intracerebral hemorrhage", [
            ("I69.15", "Hemiplegia and hemiparesis following nontraumatic intracerebral hemorrhage", [
                ("I69.151", ("Hemiplegia and hemiparesis following nontraumatic intracerebral hemorrhage "
                             "affecting right dominant side"), [], {}),
            ], {}),
        ], {}),
        ("I69.3", "Sequelae of cerebral infarction", [
            ("I69.30", "Unspecified sequelae of cerebral infarction", [], {}),
            ("I69.32", "Speech and language deficits following cerebral infarction", [
                ("I69.320", "Aphasia following cerebral infarction", [], {}),
            ], {}),
            ("I69.35", "Hemiplegia and hemiparesis following cerebral infarction", [
                ("I69.351", "Hemiplegia and hemiparesis following cerebral infarction affecting right dominant side", [], {}),
                ("I69.354", "Hemiplegia and hemiparesis following cerebral infarction affecting left non-dominant side", [], {}),
            ], {}),
        ], {}),
    ], {}),
    # pallor said of the patient; stress incontinence and dysmenorrhea (an "unspecified" code widened only
    # to its own kin); a muscle cramp; a diagnosis weighed and set aside; a mood and a sleep disorder
    ("R23", "Other skin changes", [("R23.1", "Pallor", [], {})], {}),
    ("R22", "Localized swelling, mass and lump of skin and subcutaneous tissue", [
        ("R22.1", "Localized swelling, mass and lump, neck", [], {}),
    ], {}),
    ("R32", "Unspecified urinary incontinence", [], {}),
    ("N94", "Pain and other conditions associated with female genital organs and menstrual cycle", [
        ("N94.4", "Primary dysmenorrhea", [], {}),
        ("N94.5", "Secondary dysmenorrhea", [], {}),
        ("N94.6", "Dysmenorrhea, unspecified", [], {}),
        ("N94.9", "Unspecified condition associated with female genital organs and menstrual cycle", [], {}),
    ], {}),
    ("R25", "Abnormal involuntary movements", [("R25.2", "Cramp and spasm", [], {})], {}),
    ("F31", "Bipolar disorder", [("F31.9", "Bipolar disorder, unspecified", [], {})], {}),
    ("F39", "Unspecified mood [affective] disorder", [], {}),
    ("G47", "Sleep disorders", [("G47.9", "Sleep disorder, unspecified", [], {})], {}),
    ("R30", "Pain associated with micturition", [("R30.0", "Dysuria", [], {})], {}),
    # a spine code's region read from the level ("L4-5"); the conus of the eye, not the spinal cord's
    ("M48", "Other spondylopathies", [
        ("M48.0", "Spinal stenosis", [
            ("M48.00", "Spinal stenosis, site unspecified", [], {}),
            ("M48.02", "Spinal stenosis, cervical region", [], {}),
            ("M48.06", "Spinal stenosis, lumbar region", [
                ("M48.061", "Spinal stenosis, lumbar region without neurogenic claudication", [], {}),
                ("M48.062", "Spinal stenosis, lumbar region with neurogenic claudication", [], {}),
            ], {}),
        ], {}),
    ], {}),
    # a quadrant's side varies the unspecified lower abdominal pain; second-hand smoke; a cancer's spread
    ("R10", "Abdominal and pelvic pain", [
        ("R10.3", "Pain localized to other parts of lower abdomen", [
            ("R10.30", "Lower abdominal pain, unspecified", [], {}),
            ("R10.31", "Right lower quadrant pain", [], {}),
            ("R10.32", "Left lower quadrant pain", [], {}),
        ], {}),
    ], {}),
    ("Z77", "Other contact with and (suspected) exposures hazardous to health", [
        ("Z77.2", "Contact with and (suspected) exposure to other hazardous substances", [
            ("Z77.22", "Contact with and (suspected) exposure to environmental tobacco smoke (acute) (chronic)", [], {}),
        ], {}),
    ], {}),
    ("C78", "Secondary malignant neoplasm of respiratory and digestive organs", [
        ("C78.7", "Secondary malignant neoplasm of liver and intrahepatic bile duct", [], {}),
    ], {}),
    ("Q14", "Congenital malformations of posterior segment of eye", [
        ("Q14.8", "Other congenital malformations of posterior segment of eye", [], {}),
    ], {}),
]
CHAPTERS = {"B": ("1", "Infectious diseases"), "L": ("12", "Skin diseases"), "K": ("11", "Digestive diseases"), "C": ("2", "Neoplasms"), "E": ("4", "Endocrine diseases"), "F": ("5", "Mental disorders"), "I": ("9", "Circulatory diseases"), "J": ("10", "Respiratory diseases"),
            "M": ("13", "Musculoskeletal diseases"), "G": ("6", "Nervous system diseases"), "N": ("14", "Genitourinary diseases"),
            "O": ("15", "Pregnancy, childbirth and the puerperium"),
            "P": ("16", "Certain conditions originating in the perinatal period"),
            "D": ("3", "Diseases of the blood"),
            "H": ("8", "Diseases of the ear"), "Q": ("17", "Congenital malformations"), "R": ("18", "Symptoms and signs"), "S": ("19", "Injury"),
            "Z": ("21", "Factors influencing health status")}
INDEX = [  # Letter, Level, Term, NonEssModif, Code[, See] (as in the derived index CSV)
    ("D", 0, "Diabetes, diabetic", "(mellitus) (sugar)", "E11.9"),
    ("D", 1, "gestational", "(in pregnancy)", "O24.419"),
    ("D", 1, "type 1", "", "E10.9"),
    ("D", 1, "type 2", "", "E11.9"),
    ("D", 2, "with", "", ""),
    ("D", 3, "hyperglycemia", "", "E11.65"),
    ("D", 1, "secondary", "", "E13.9"),
    ("F", 0, "Fracture, traumatic", "(abduction) (adduction)", ""),
    ("F", 1, "patella", "", "S82.00-"),
    ("P", 0, "Pain(s)", "(see also Painful)", "R52"),
    ("P", 1, "chest", "(central)", "R07.9"),
    ("P", 1, "joint", "", ""),
    ("P", 2, "knee", "", "M25.56-"),
    ("P", 0, "Pneumonia", "(acute) (double)", "J18.9"),
    ("I", 0, "Influenza", "(bronchial) (epidemic)", "J11.1"),
    ("P", 1, "2019", "(novel)", "J12.82"),  # a year alone is no mention of COVID-19
    ("H", 0, "Hypertension, hypertensive", "(accelerated) (benign)", "I10"),
    ("H", 1, "gestational", "(pregnancy induced)", "O13.9"),
    ("S", 0, "Syndrome", "", ""),
    ("S", 1, "pain", "", ""),
    ("S", 2, "complex regional I", "", "G90.50"),
    ("S", 3, "lower limb", "", "G90.52-"),
    ("F", 0, "Febrile", "", "", "Fever"),  # a "see" pointer: Febrile takes Fever's code
    ("F", 0, "Fever", "(inanition)", "R50.9"),
    ("F", 1, "with chills", "", "R50.9"),
    ("C", 0, "Chills", "(without fever)", "R68.83"),
    ("B", 0, "Bleeding", "", ""),
    ("B", 1, "vagina, vaginal", "(abnormal)", "N93.9"),
    ("C", 0, "Cachexia", "", "R64"),
    ("J", 0, "Jaundice", "(yellow)", "R17"),
    ("S", 0, "Swelling (of)", "", "R60.9"),
    ("O", 0, "Osteoarthritis", "", ""),
    ("O", 1, "knee", "", "M17.1-"),
    ("H", 0, "Hemiplegia", "", "G81.9-"),
    ("H", 0, "Hemiparesis", "", "", "Hemiplegia"),
    ("A", 0, "Aphasia", "(amnestic) (global)", "R47.01"),
    ("S", 0, "Stroke", "(apoplectic) (brain) (embolic)", "I63.9"),
    ("H", 0, "Hemorrhage, hemorrhagic", "", ""),
    ("H", 1, "postpartum", "(following delivery of placenta)", "O72.1"),
    ("P", 0, "Pre-eclampsia", "", "O14.90"),
    ("H", 1, "intracerebral", "(nontraumatic)", "I61.9"),
    ("D", 0, "Disorder", "(of)", ""),
    ("D", 1, "mood", "", "F39"),
    ("C", 0, "Cramp(s)", "", "R25.2"),
    ("M", 0, "Mass", "", ""),
    ("M", 1, "neck", "", "R22.1"),
    ("C", 0, "Conus", "(congenital) (any type)", "Q14.8"),
    ("R", 0, "Regurgitation", "", "R11.10"),
    ("R", 0, "Reflux", "", "K21.9"),
]


def _diag(code: str, title: str, children: list, extras: dict, depth: int) -> str:
    pad = "  " * depth
    out = [f"{pad}<diag>", f"{pad}  <name>{code}</name>", f"{pad}  <desc>{escape(title)}</desc>"]
    for term in extras.get("inclusion", []):
        out.append(f"{pad}  <inclusionTerm><note>{escape(term)}</note></inclusionTerm>")
    for note in extras.get("excludes1", []):
        out.append(f"{pad}  <excludes1><note>{escape(note)}</note></excludes1>")
    if "seventh" in extras:
        out.append(f"{pad}  <sevenChrDef>")
        out += [f'{pad}    <extension char="{c}">{m}</extension>' for c, m in extras["seventh"].items()]
        out.append(f"{pad}  </sevenChrDef>")
    for child in children:
        out.append(_diag(*child, depth + 1))
    out.append(f"{pad}</diag>")
    return "\n".join(out)


def tabular_xml() -> str:
    parts = ['<?xml version="1.0" encoding="utf-8"?>', "<ICD10CM.tabular>", "<version>2026</version>"]
    for letter, (num, desc) in CHAPTERS.items():
        # chapter 1 (infectious diseases) holds the A and the B codes
        diags = [d for d in TREE if d[0][0] in ("AB" if letter == "B" else letter)]
        rng = f"{diags[0][0]}-{diags[-1][0]}"
        parts += [f"<chapter><name>{num}</name><desc>{desc}</desc>", f'<section id="{rng}"><desc>{desc}</desc>']
        parts += [_diag(*d, 1) for d in diags]
        parts += ["</section></chapter>"]
    parts.append("</ICD10CM.tabular>")
    return "\n".join(parts)


@pytest.fixture(scope="session")
def detect_kb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from medcode.kb.build import build

    root = tmp_path_factory.mktemp("detect_mirror")
    mirror = root / "mirror"
    shutil.copytree(DATA, mirror)
    icd = mirror / "icd10cm"
    for f in icd.glob("icd10cm_order_*"):
        f.unlink()
    (icd / "icd10cm_tabular_April-1-2026.xml").write_text(tabular_xml(), encoding="utf-8")
    with (icd / "icd10cm-table-index-April-2025" / "ICD10CM_2025_Index_DERIVED.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["RowID", "Letter", "Level", "Term", "See", "SeeAlso", "NonEssModif", "Code"])
        for n, (letter, level, term, noness, code, *see) in enumerate(INDEX, 1):
            w.writerow([n, letter, level, term, "".join(see), "", noness, code])
    path = root / "kb.sqlite"
    build(path, mirror)
    return path


@pytest.fixture(scope="session")
def detect_kb(detect_kb_path: Path):
    from medcode.kb.store import KB

    kb = KB.open(detect_kb_path)
    yield kb
    kb.close()


@pytest.fixture(autouse=True)
def _rules_only(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule tests run without the packaged learned tables (phrases, code agreement), so they test the
    rules and do not change when the tables are retrained; test_learn.py and test_agreement.py give the
    detector tables of their own."""
    from medcode.detect import _data, agreement, detector, learn

    monkeypatch.setattr(detector, "_AGREEMENT", {})
    absent = {agreement.FILE}
    if not request.module.__name__.endswith("test_learn"):
        absent.add(learn.FILE)
    monkeypatch.setattr(_data, "ABSENT", frozenset(absent))
