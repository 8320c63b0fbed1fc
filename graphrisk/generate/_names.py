"""Word lists for synthetic names: persons, places, organisations and cases.

Surnames and first names reflect the Netherlands' mix of backgrounds, so that
fairness checks (e.g. false positives by surname origin) have something to
measure. All names are common ones; any match with a real person is chance.
"""

from __future__ import annotations

__all__ = [
    "CLUB_ADJECTIVES",
    "CLUB_NOUNS",
    "CODE_WORDS",
    "FIRST_NAMES_FEMALE",
    "FIRST_NAMES_MALE",
    "ORIGINS",
    "ORIGIN_SHARES",
    "PLACE_STEMS",
    "PLACE_SUFFIXES",
    "SURNAMES",
]

# fmt: off
#: Background of a household's surname; index 0 is Dutch.
ORIGINS = ("dutch", "turkish", "moroccan", "surinamese", "indonesian", "antillean", "polish", "other")
ORIGIN_SHARES = (0.755, 0.05, 0.05, 0.04, 0.03, 0.015, 0.025, 0.035)

SURNAMES = (
    (
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
        "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
        "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer",
        "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen",
        "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten", "van Beek", "Willems",
        "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam", "van der Wal",
        "Prins", "Blom", "Huisman", "Peeters", "de Koning", "van Wijk", "Postma", "Kuipers", "Veenstra",
        "Kramer", "van den Brink", "Scholten", "van Wijngaarden", "Post", "Timmermans", "Bosman",
        "Boersma", "Wouters", "Groen", "Sijbrands", "Nijland", "Tuinstra", "Wagenaar",
    ),
    (
        "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
        "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek",
    ),
    (
        "El Amrani", "Bouzid", "El Idrissi", "Benali", "Azzouzi", "El Khatib", "Boukhari", "Amrani",
        "Ouali", "El Hamdaoui", "Bakkali", "Tahiri", "Chaouch", "Bensaid", "El Ouahabi", "Lamrani",
        "Ait Taleb", "Ziani", "Haddouchi", "Ouchan",
    ),
    (
        "Ramdin", "Jagesar", "Ramcharan", "Sewdien", "Kalloe", "Biharie", "Pinas", "Wijngaarde",
        "Kross", "Brunings", "Sabajo", "Lachmon", "Mahabier", "Soekhlal", "Amatmoekrim", "Dwarkasing",
    ),
    (
        "Pattiasina", "Tahitu", "Latuheru", "Sahetapy", "Siahaya", "Wattimena", "Manuhutu", "Pelupessy",
        "Soumokil", "Tuasela", "Hukom", "Lokollo",
    ),
    ("Martina", "Maduro", "Pieternella", "Isenia", "Statia", "Richardson", "Everts", "Rosaria", "Jacopina"),
    (
        "Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański",
        "Dąbrowski", "Kozłowski",
    ),
    (
        "Mohamed", "Ali", "Hassan", "Nguyen", "Schmidt", "Müller", "Smith", "Okafor", "Haddad", "Ahmadi",
        "Rossi", "García", "Novak", "Popescu", "Mensah", "Osman", "Warsame", "Ibrahim",
    ),
)

FIRST_NAMES_FEMALE = (
    (
        "Anna", "Emma", "Sophie", "Julia", "Lotte", "Sanne", "Lisa", "Eva", "Fleur", "Iris", "Anouk",
        "Maria", "Johanna", "Ingrid", "Monique", "Petra", "Linda", "Wilma", "Marieke", "Esther", "Femke",
        "Noor", "Tess", "Mila", "Saskia", "Karin", "Annelies", "Hanneke", "Mirjam", "Els",
    ),
    ("Elif", "Zeynep", "Ayşe", "Fatma", "Esra", "Merve", "Büşra", "Selin", "Emine", "Derya"),
    ("Fatima", "Khadija", "Samira", "Naima", "Soumaya", "Imane", "Hanan", "Loubna", "Salma", "Nora"),
    ("Shanti", "Priya", "Anjali", "Sharmila", "Ivanka", "Giovanna", "Jerusha", "Maureen", "Rashmi"),
    ("Dewi", "Sari", "Lisa", "Maya", "Ratna", "Melanie", "Yvonne", "Ingrid"),
    ("Shanaira", "Giselle", "Xiomara", "Jozaida", "Naomi", "Sharlene"),
    ("Agnieszka", "Katarzyna", "Magdalena", "Joanna", "Anna", "Monika", "Ewa"),
    ("Amina", "Layla", "Sara", "Hiba", "Linh", "Maria", "Grace", "Hodan", "Rania", "Elena"),
)

FIRST_NAMES_MALE = (
    (
        "Jan", "Pieter", "Kees", "Johan", "Willem", "Hendrik", "Bram", "Daan", "Sem", "Lucas", "Thijs",
        "Ruben", "Jeroen", "Mark", "Dennis", "Marco", "Erik", "Bas", "Tim", "Niels", "Martijn", "Gerrit",
        "Henk", "Wim", "Joost", "Sander", "Koen", "Jesse", "Lars", "Stijn",
    ),
    ("Mehmet", "Mustafa", "Ahmet", "Emre", "Burak", "Murat", "Hakan", "Can", "Yusuf", "Serkan"),
    ("Mohamed", "Ahmed", "Youssef", "Said", "Karim", "Rachid", "Mustapha", "Bilal", "Anouar", "Hamza"),
    ("Rakesh", "Ravi", "Anand", "Dinesh", "Romeo", "Ricardo", "Glenn", "Clarence", "Sunil"),
    ("Ricky", "Ronald", "Johnny", "Wim", "Frans", "Marcel", "Eddy", "Jopie"),
    ("Jurgen", "Dwayne", "Shurandy", "Kevin", "Jairo", "Rignoald"),
    ("Piotr", "Tomasz", "Krzysztof", "Marek", "Paweł", "Michał", "Łukasz"),
    ("Omar", "Ali", "Abdi", "Minh", "David", "Hassan", "Ibrahim", "Kwame", "Andrei", "Samir"),
)

PLACE_STEMS = (
    "Aal", "Beek", "Bers", "Bor", "Dal", "Dorn", "Eem", "Ell", "Gel", "Gra", "Haar", "Hel", "Hol",
    "Kamp", "Klaas", "Lin", "Loo", "Mar", "Mid", "Nor", "Olde", "Oos", "Ros", "Schel", "Sta", "Ter",
    "Twen", "Vel", "Voor", "Waal", "Wes", "Wil", "Zand", "Zut", "Zwa", "Ber", "Ens", "Har", "Lei", "Rij",
)
PLACE_SUFFIXES = (
    "broek", "dam", "dorp", "veen", "hoven", "wijk", "horst", "zijl", "kerk", "lo", "werd", "burg",
    "hem", "rode", "huizen", "sloot", "meer", "sum", "ward", "stad",
)

#: Words for code names of investigations and criminal networks.
CODE_WORDS = (
    "Kobalt", "Saffier", "Eikenhout", "Zilverreiger", "Basalt", "Duinroos", "Kwarts", "Lijster",
    "Graniet", "Marmot", "Vlier", "Hazelaar", "Robijn", "Ijsvogel", "Lorkenhout", "Turf", "Smaragd",
    "Wilg", "Berk", "Dolfijn", "Amber", "Koraal", "Jaspis", "Onyx", "Opaal", "Topaas", "Zwaluw",
    "Merel", "Havik", "Sperwer", "Buizerd", "Kraai", "Reiger", "Meeuw", "Esdoorn", "Linde", "Olm",
    "Populier", "Spar", "Den", "Tarwe", "Haver", "Rogge", "Gerst", "Klaver", "Distel", "Varen",
    "Mos", "Heide", "Brem", "Lavendel", "Tijm", "Salie", "Munt", "Anijs", "Kaneel", "Nootmuskaat",
    "Kruidnagel", "Gember", "Peper", "Vanille", "Cacao", "Koffie", "Thee", "Honing", "Was", "Lood",
    "Tin", "Zink", "Koper", "Brons", "Messing", "Staal", "IJzer", "Nikkel", "Chroom", "Titaan",
    "Platina", "Goud", "Zilver", "Kwik", "Argon", "Neon", "Xenon", "Krypton", "Radon", "Helium",
)

CLUB_ADJECTIVES = (
    "Zwarte", "Rode", "IJzeren", "Stalen", "Wilde", "Donkere", "Grijze", "Gouden", "Verloren", "Vrije",
)
CLUB_NOUNS = (
    "Raven", "Wolven", "Duivels", "Ruiters", "Adelaars", "Broeders", "Zwervers", "Schorpioenen",
    "Stieren", "Jagers",
)
# fmt: on
