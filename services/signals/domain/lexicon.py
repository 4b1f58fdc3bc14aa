"""Word lists used by the signals domain. Plain constants: no I/O, nothing council-specific.

All entries are written as a human would; callers fold them (``textutil.fold``) before use.
"""
from __future__ import annotations

from .textutil import fold


def _set(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in text.split())


# --- stop words (Dutch and English), for similarity and summaries ----------------------------
STOPWORDS = _set("""
aan al alle alleen als alsof altijd ander andere anders ben bij bijna binnenkort daar daarna
daarom dan dat de deze die dit doe doen door dus echt een eens eigen eigenlijk elk elke en er
erg ergens even gaan gaat ga gedaan geen gehad geweest graag had heb hebben heeft hem hen het
hier hij hoe hun iedereen iemand iets ik in is ja je jij jou jouw jullie kan keer komen komt
kon kunnen laat laten maar me meer meest men met mij mijn m'n moet moeten na naar naast net
niet niets niks nog nou nu of om omdat onder ons onze ook op over al pas per sinds sindsdien
steeds te tegen toch toen tot u uit uw van veel voor vanaf vaak via vind vindt waar waarom
wanneer want was wat we weer wel werd weet welke wie wij wil willen word wordt worden zal ze
zelf zich zij zijn zit zitten zo zoals zonder zou zouden zeggen zegt zeer hele heel nooit meteen
tijdens iemand alles elkaar jaar jaren dag dagen week weken maand maanden vandaag gisteren
morgen vanochtend vanavond vannacht gisteravond nieuwe nieuw oude oud grote groot kleine klein
goed goede slecht lang lange twee drie vier vijf zes zeven acht negen tien eerste tweede derde
hallo hoi beste groet groeten dank bedankt alstublieft aub svp please ok oke
dezelfde hetzelfde zelfde terwijl gekregen kreeg krijg krijgen ontving ontvangen erbij ervan
erop eruit erin ermee goedendag goedemorgen tijd laatste laatst gebeurd gebeurt gebeuren hoor
horen gehoord gezien lijkt vind vinden dacht denken weten zeker misschien blijkbaar volgens
verder eerst daarbij wellicht natuurlijk helemaal allemaal iedere ieder beetje paar enkele
meerdere verschillende andere welk zulke zo'n zoiets wel kunt kun moeten mogen mag mocht
wilde wou staat stond ligt lag gaat ging kwam kreeg houden hield maakt maken gemaakt doet deed
hebt heb hadden waren was zijn wordt werden geworden
a about after again all also am an and any are as at be been before being but by can could
did do does done for from get got had has have having he her here him his how i if in into is
it its just me more my no not now of on once only or other our out over she so some still than
that the their them then there these they this those through to too under until up very was we
were what when where which while who why will with would yes you your anyone someone anything
""")

# Adjectives that start street names ("Nieuwe Binnenweg", "Grote Visserijplein").
PLACE_ADJECTIVES = _set("""
nieuw nieuwe oud oude groot grote klein kleine lange korte hoge lage oost west noord zuid
""")

# Words every housing signal uses; they say nothing about *which* issue it is.
GENERIC_WORDS = _set("""
woning woningen huis flat bewoner bewoners huurder huurders corporatie woonmaas woonstad verhuurder
melding meldingen gemeld melden signaal probleem problemen oplossing opgelost vraag vragen
graag snel spoed iemand mensen buurman buurvrouw buren wonen woon woont complex gebouw blok
klantenraad gemeente rotterdam straat hal via zeggen gezegd zien ziet denk vind hoop
help helpen kijken komen gekomen langs langskomen repareren gerepareerd regelen geregeld
ook nog steeds weer al echt heel erg gewoon ineens inmiddels eindelijk nogmaals
tenant tenants building flat apartment issue problem please thanks hello hi anyone
""")

# --- names ------------------------------------------------------------------------------------
NAME_PARTICLES = _set("""
van de der den het 't te ten ter in op la le du da das dos del della di von vom zu el al ben
bin bint abu ibn d' l' mac mc
""")

# Common first names in the Netherlands (Dutch, Frisian, Turkish, Moroccan, Surinamese,
# Antillean, Cape Verdean, Polish and other backgrounds). A name heuristic, not a register.
FIRST_NAMES = _set("""
aad aafke aaltje abdel abdelaziz abdelkader abdellah abderrahim abdul abdullah abena adam adil
adilson adriaan adrie agnes agnieszka ahmad ahmed ahmet aicha aischa aisha ala albert alberto
aleksandra alex alexander ali alicia alida alina amal amanda amina aminata amir amira anas andre
andrea andreas andrei andrzej anil anita anja anke ann anna annabel anne annefleur anneke annelies
annemarie annemieke annet annette annie anouar anouk ans anton antonio antoon arie ariane arjan
arjen arnold aron asli asmae astrid ayoub aysel ayse ayhan aylin aziz baran barbara bart bas bea
beatrix ben benjamin bep berna bernard bert bertus betty bianca bilal birgit bob boris bouchra
bram brahim brenda brian btissam burak busra can canan carla carlos carmen carolien caroline
cees cem chantal charles charlotte chen cheryl chinedu chris christiaan christina christine
cindy claudia clyde cor cora corine cornelis corrie daan dalia dani daniel daniela danny dave
david debbie demi denise deniz dennis derya desiree devi diana dianne dick didier dilek dimitri
dineke dirk dirk-jan dmitri dorien dounia driss dwayne ebru ed eddy edith edmilson edson edwin
eef eelco elena eline elif elisa elisabeth elise elly els elske emel emeka emily emine emma emmy
emre ercan erdem eric erik erika errol ervin esra esther eva evelien evert ewa fadoua farid
fatih fatima fatma fatoumata femke fenna fernando filiz fleur floor floris fouad frank frans
fred freek frits gaby gerard gerben gerda gerrit gert gertjan gijs gina giulia glenn grace
greet gregory guido gulsen gul gus guus hafsa hajar hakan halil hamid hamza hanan hanna hannah
hanneke hannie hanny hans harm harmen harry hasan hassan hatice hein helen helga hendrik henk
henny herman hicham hilda hilde houda hugo huib hulya huseyin ibrahim ibrahima ida igor ikram
ilham ilias ilona ilse imane ina inge ingrid irene irina iris isa ismail ivan jaap jacob jacobus
jacqueline jair jakub jamal james jan janine janneke jannie jan-willem jasper jeanette jelle
jennifer jenny jeroen jesse jessica jet joanna joanne job joep johan johanna johannes john jolanda
jolien joke jop joost joris jos jose josef joseph josephine joyce juan judith julia julian
jurgen kamil karen karim karima karin katarzyna kees kemal kenneth kerem kevin khadija khalid
kim kiran klaas koen kofi krzysztof kubra kwame lars latifa laura leila leo leon leyla lia lidia
lieke lies liesbeth linda lisa lisanne loes lotte loubna lucas luis lukasz luuk lydia maarten
magda magdalena mamadou manon manuel marcel marco marek margreet margriet maria mariam marian
marianne marieke marielle marijke marina mario marion mariska marjan marjolein mark marleen
marlies marloes marta martijn martin martine marvin maryam mathijs maud max mehdi mehmet melissa
merel merve meryem michael michal michel michelle mieke mien mihai mike mila milan mirjam miriam
mohamed mohammed monica monique mounir moussa muhammad murat mustafa mustapha nabil nadia naima
najib naomi natalia natasha nathalie nawal nel nelly nelson nermin nicole nico niels nienke
noah noor nora nordin nur olga oksana olena omar omer onur orhan osman oumar ozlem patricia
patrick paul paula paulo pauline pawel pedro peter petra piet pieter piotr pim priscilla priya
quincy rabia rachid rachida radjesh rajesh ramon raymond recep redouan reinier remco renate rene
rianne ricardo richard riek riet rik rina rita rob robbert robert robin rodney roel romano romy
ronald roos rosa roy ruben rudi rudy rutger ruth ruud ryan sabine said saida salma sam samira
samuel sanae sander sandra sanne sara sarah saskia selin selim sem serkan serpil sevda sevgi
sharon sheila shanice shirley sibel sietske siham simone sjaak sjoerd sofia sofie soufiane
songul sonja souad stefan stephanie sterre stijn sunil sunita suzanne sven svetlana tamara tanja
tarik teun thea theo thijs thomas ties tim tineke tjeerd tobias tom tomasz ton toon trees truus
tuba tulay tunde twan ursula valentina vera victor vincent wafa wendy wessel wilco willem
willemijn wilma wim wojciech wouter yasemin yasmina yasmine yassine yeliz youri youssef yusuf
yvette yvonne zahra zakaria zeynep zineb zoe
sophie tess nina lina lara luna mia olivia liam finn levi mees jayden dex ilyas rayan aya nour
hiba malak ines chaimae soumaya fatiha hayat jamila mimoun mohand abdelhak mostafa lahcen hakim
jasmijn yara lotte gerrit-jan jan-peter anne-marie marie-louise
""")

# Titles in street and place names: "Prins Alexander", "Koningin Julianaplein", "Sint Jan".
PLACE_HONORIFICS = _set("""
prins prinses koning koningin sint st graaf gravin hertog keizer burgemeester admiraal generaal
president dominee pastoor professor dokter dr kapitein ridder jonkheer
""")
# Capitalised words that are never a person's name in a signal: function words that start
# sentences, adjectives in place names, days, months, greetings, organisations' generic words.
NOT_NAME_WORDS = STOPWORDS | _set("""
geachte beste hoi hallo hey dear lieve goedendag goedemorgen goedemiddag goedenavond groet groeten
groetjes vriendelijke bedankt dank thanks regards cheers hello hi sorry excuses mvg gr
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart april mei juni
juli augustus september oktober november december monday tuesday wednesday thursday friday
saturday sunday january february march june july august october
oud oude nieuw nieuwe groot grote klein kleine hoog hoge laag lage lange korte noord noorder
oost ooster zuid zuider west wester noordelijk centrum binnen buiten boven beneden midden
spaanse turkse poolse marokkaanse surinaamse nederlandse hollandse engelse franse duitse
katendrechtse rotterdamse dutch english polish turkish
nederlands engels turks arabisch marokkaans surinaams pools duits frans spaans portugees
antilliaans kaapverdiaans berbers somalisch eritrees syrisch koerdisch hindi papiaments
nederlander turk marokkaan surinamer
klantenraad klantenservice huurteam huurcommissie bewonerscommissie huurdersvereniging
bewonersorganisatie wijkteam wijkagent buurtagent gemeente corporatie woonmaas woonstad
woonnet belastingdienst overlegwet wmo bc mt klantcontactcentrum melding reparatieverzoek
onderwerp adres naam tel telefoon mobiel email e-mail iban bsn postcode contact reden toelichting
formulier klachtenformulier signaal verzoek urgent spoed let op ps nb
warm wonen zorg veilig schoon heel straat plein laan weg blok complex flat toren hof
wij ik jij hij zij ze we mijn onze ons jullie uw hun haar zijn het de een die dat deze
mevr mevrouw mw dhr heer meneer mijnheer mr mrs ms fam familie juffrouw mister miss sir madam
team afdeling stichting vereniging werkgroep commissie bestuur directie wijkbeheer beheer
klantcontact huurdersbelang bewonersvereniging servicepunt loket zn zonen bv nv vof co groep
bouw installatie installatietechniek schoonmaakbedrijf aannemer aannemersbedrijf holding
services diensten heijn linders jumbo lidl aldi kruidvat hema action ikea
""") | PLACE_HONORIFICS



# Endings of Dutch street and complex names ("Boergoensevliet", "Tarwehof", "Nassaublok").
STREET_SUFFIXES = (
    "straat", "straatje", "laan", "weg", "plein", "pleintje", "kade", "kaai", "dijk", "singel",
    "gracht", "burgwal", "wal", "hof", "hoven", "park", "pad", "dreef", "plantsoen", "vliet",
    "bocht", "baan", "steeg", "markt", "boulevard", "erf", "haven", "veld", "poort", "dam",
    "ring", "oever", "werf", "zoom", "hage", "tuin", "tuinen", "promenade", "passage", "kwartier",
    "allee", "boog", "dreef", "hoek", "lei", "plaats", "rijweg", "straatweg",
)
# Endings that only a street or building has, never a surname ("Koorndijk", "Westerhof" and
# "Van Dam" are people too): used to tell "Paul Krugerstraat" from a person.
STREET_ONLY_SUFFIXES = (
    "straat", "straatje", "laan", "weg", "plein", "pleintje", "kade", "singel", "gracht", "steeg",
    "dreef", "plantsoen", "boulevard", "promenade", "passage", "allee", "complex", "blok", "flat",
    "flats", "toren", "gebouw",
)
# Endings of neighbourhood names ("Tarwewijk", "Blijdorpsepolder").
AREA_SUFFIXES = ("wijk", "buurt", "polder", "kwartier", "dorp", "eiland")
# Endings that name a building or complex rather than a street.
COMPLEX_SUFFIXES = ("complex", "blok", "flat", "flats", "toren", "gebouw", "hof", "hoven")

# Words that may stand before a house number without being a street ("Plein 1953" is a
# square's name; "Blok 4" is a block; years after a word are dates).
BARE_PLACE_WORDS = _set("plein straat laan weg hof blok flat toren kade dijk park")

# Role words and labels that may stand in a signature block next to a name.
SIGNATURE_ROLES = _set("""
voorzitter secretaris penningmeester lid namens bewoner bewoonster huurder huurster
contactpersoon aanspreekpunt klantnummer huurdersnummer klantnr relatienummer dossiernummer
bsn tel telefoon mobiel mob e-mail email mail iban rekening rekeningnummer adres postcode
bc bewonerscommissie werkgroep mantelzorger dochter zoon
""")

# Closings of a message: a name usually follows.
CLOSINGS = (
    "met vriendelijke groet", "met vriendelijke groeten", "vriendelijke groet", "vriendelijke groeten",
    "hartelijke groet", "hartelijke groeten", "groetjes", "groeten", "groet", "mvg", "gr",
    "kind regards", "best regards", "regards", "thanks", "thank you", "cheers", "best",
)

# Keywords that name a place in or around the building, a channel, or an everyday word with a
# second meaning ("zorgen" is also "to worry"): they hint at a theme but decide little, so a
# match counts for half.
WEAK_KEYWORDS = _set("""
portiek galerij trappenhuis hal gang tuin buurt lift kelder berging zolder balkon brief app
website informatie telefoon buren zorg advies klacht afspraak container inkomen verkoop
""")

# --- synonyms for theme keywords --------------------------------------------------------------
# Keyed by a taxonomy keyword; the extra surface forms count as that keyword wherever a council
# uses it: irregular Dutch forms (strong verbs), common synonyms and the English words that
# residents who write in English use.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "kapot": ("stuk", "broken", "vernield"),
    "defect": ("werkt niet", "doet het niet", "not working", "out of order"),
    "storing": ("uitgevallen", "valt uit", "uitvalt", "outage", "storingsdienst"),
    "lekkage": ("lekt", "lekken", "gelekt", "lek", "leak", "leaking", "waterschade", "druppelt"),
    "lekt": ("lekkage",),
    "verwarming": ("radiator", "radiatoren", "heating", "heater", "koud", "blokverwarming"),
    "warm water": ("hot water", "geiser", "boiler", "douche koud"),
    "cv-ketel": ("ketel", "boiler", "cv"),
    "verstopping": ("verstopt", "ontstopper", "blocked", "clogged"),
    "kozijn": ("kozijnen", "window frame"),
    "dak": ("dakbedekking", "dakrand", "roof"),
    "reparatie": ("repair", "repareren", "gerepareerd", "monteur", "technician"),
    "schimmel": ("mould", "mold", "mouldy", "beschimmeld", "schimmelen"),
    "vocht": ("damp", "humid", "humidity", "nat"),
    "vochtig": ("damp",),
    "condens": ("condensation", "beslaan", "beslagen"),
    "zwarte plekken": ("black spots", "zwart"),
    "muffe lucht": ("muf", "musty"),
    "ventilatie": ("ventilation", "ventilatierooster", "ventilatieroosters", "afzuiging",
                   "extractor", "extractor fan", "ventileren"),
    "geluidsoverlast": ("noise", "noisy", "lawaai", "kabaal", "loud"),
    "herrie": ("lawaai", "feesten", "parties", "party", "feest"),
    "harde muziek": ("loud music", "muziek"),
    "buren": ("neighbours", "neighbors", "neighbour", "neighbor", "buurman", "bovenburen",
              "benedenburen", "achterbuurman", "buurjongen"),
    "stank": ("stinkt", "stinken", "stinkend", "smell", "smells"),
    "drugs": ("dealen", "dealt", "gedeald", "dealer", "drugsoverlast"),
    "huisdieren": ("hond", "honden", "kat", "katten", "dogs", "hondenpoep"),
    "intimidatie": ("bedreigd", "bedreiging", "intimidating"),
    "overlast": ("nuisance", "airbnb"),
    "afval": ("vuilniszakken", "vuilnis", "rommel", "rubbish", "garbage", "litter", "zwerfafval"),
    "grofvuil": ("bulky waste", "dumpen"),
    "zwerfvuil": ("zwerfafval", "litter"),
    "container": ("containers", "afvalcontainers", "vuilcontainers"),
    "speeltuin": ("speeltoestel", "speelplek", "glijbaan", "playground"),
    "buurthuis": ("buurtkamer", "ontmoetingsruimte", "community centre"),
    "ontmoeting": ("samenkomen", "ontmoetingsruimte"),
    "eenzaamheid": ("eenzaam", "lonely"),
    "onveilig": ("unsafe", "niet veilig"),
    "inbraak": ("ingebroken", "inbraken", "inbreken", "burglary", "break-in", "opengebroken"),
    "diefstal": ("gestolen", "stolen", "theft"),
    "vandalisme": ("vernield", "graffiti", "vuurwerk"),
    "toegangsdeur": ("voordeur", "portiekdeur", "entrance door", "intercom", "deurdranger",
                     "deur sluit niet"),
    "slot": ("sloten", "lock", "skg"),
    "brandveiligheid": ("brandgevaar", "brandgevaarlijk", "brandveilig", "fire safety"),
    "koolmonoxide": ("co-melder", "gaslucht", "gas leak"),
    "verlichting": ("lamp", "lampen", "lantaarnpalen", "lighting", "licht"),
    "criminaliteit": ("crime", "woonfraude"),
    "camera": ("cameratoezicht", "camera's"),
    "schoonmaak": ("schoonmaker", "schoonmaakbedrijf", "schoonmaakploeg", "cleaning", "cleaner",
                   "schoon"),
    "schoonmaken": ("schoongemaakt",),
    "trappenhuis": ("stairwell", "staircase"),
    "vies": ("smerig", "dirty", "vuil", "poep", "duivenpoep", "hondenpoep"),
    "glazenwasser": ("window cleaner", "window washing", "ramen gewassen", "glasbewassing"),
    "groenonderhoud": ("tuinonderhoud", "hovenier", "groenstrook", "groen", "gemeenschappelijke tuin"),
    "tuin": ("garden", "binnentuin", "moestuin"),
    "snoeien": ("gesnoeid",),
    "bomen": ("boom", "trees"),
    "ongedierte": ("pests", "wespen", "wespennest", "kakkerlakken", "duiven", "meeuwen",
                   "ongediertebestrijding", "vlooien", "bedwantsen"),
    "ratten": ("rats", "rat"),
    "muizen": ("mice", "muis"),
    "huur": ("rent", "kale huur", "huurprijstoetsing"),
    "huurverhoging": ("rent increase", "verhoging", "omhoog"),
    "huurverlaging": ("rent reduction",),
    "betaalbaar": ("affordable", "te hoog"),
    "huurachterstand": ("achterstand", "aanmaning", "incasso", "incassokosten", "geincasseerd",
                        "afgeschreven", "herinnering", "arrears"),
    "betalingsregeling": ("termijnen", "payment plan"),
    "inkomen": ("income", "uitkering", "minimumloon"),
    "servicekosten": ("service charge", "service charges", "servicecharge", "naheffing"),
    "afrekening": ("eindafrekening", "bill", "nabetaling", "facturen"),
    "jaarafrekening": ("annual statement",),
    "stookkosten": ("heating costs", "verbruik", "verdeelsleutel", "meterstanden"),
    "terugbetaling": ("terugbetalen", "terugstorten", "teruggestort", "refund", "verrekenen"),
    "bijbetalen": ("nabetaling", "extra betalen"),
    "huismeester": ("caretaker", "conciërge"),
    "nutsvoorzieningen": ("glasvezel", "tv-aansluiting"),
    "isolatie": ("isoleren", "geisoleerd", "spouwmuurisolatie", "insulation"),
    "tocht": ("kieren", "draught", "draft"),
    "dubbel glas": ("enkel glas", "double glazing", "nieuwe ramen"),
    "energierekening": ("energy bill", "energiekosten", "gas", "tarieven"),
    "zonnepanelen": ("zonnepaneel", "solar panels"),
    "warmtepomp": ("heat pump",),
    "warmtenet": ("heat network", "stadsverwarming", "warmteleverancier"),
    "stadsverwarming": ("district heating",),
    "verduurzaming": ("zonwering", "hitte", "sustainability"),
    "aardgasvrij": ("gasfornuis", "inductieplaat", "elektrisch koken", "gasketel"),
    "renovatie": ("renovation", "renovatieplannen", "renovatieprojecten", "steigers",
                  "vernieuwd", "wisselwoning", "werkzaamheden", "asbest"),
    "sloop": ("gesloopt", "sloopblok", "demolition", "demolish", "nieuwbouw"),
    "nieuwbouw": ("new build", "gebouwd", "heien"),
    "groot onderhoud": ("major maintenance",),
    "toewijzing": ("allocation", "loting"),
    "woningzoekend": ("woningzoekende", "house hunting", "overbewoning", "grotere woning"),
    "inschrijving": ("ingeschreven", "inschrijfduur", "registration", "waiting list"),
    "wachttijd": ("wachten", "waiting time", "wachtlijst"),
    "urgentie": ("urgency", "urgentieaanvraag", "medische urgentie"),
    "tijdelijk contract": ("jongerencontract", "temporary contract", "huurcontract"),
    "voorrang": ("priority", "met voorrang"),
    "seniorenwoning": ("gelijkvloerse woning", "gelijkvloers"),
    "klantenservice": ("customer service", "klantcontactcentrum", "balie", "helpdesk"),
    "bereikbaar": ("onbereikbaar", "bereiken", "niet door kunnen komen", "in de wacht",
                   "reachable"),
    "telefoon": ("bellen", "gebeld", "gebelt", "telefonisch", "telefoonnummer", "phone", "call",
                 "belde", "telefoontje"),
    "terugbellen": ("terug te bellen", "call back"),
    "geen reactie": ("no reply", "no answer", "niks gehoord", "niets gehoord", "geen antwoord",
                     "nooit meer iets", "reageert nergens"),
    "afspraak": ("appointment", "afspraken", "niet komen opdagen", "dag vrij"),
    "monteur niet gekomen": ("niemand gekomen", "nooit iemand geweest", "niet gekomen",
                             "niemand is gekomen", "niet komen opdagen"),
    "klacht": ("complaint", "ontevreden", "klachtenformulier"),
    "brief": ("letter", "brieven"),
    "informatie": ("uitleg", "information", "explanation", "opheldering"),
    "excuses": ("excuus", "apology"),
    "website": ("site", "webpagina"),
    "ouderen": ("elderly", "oudere", "80+", "bejaard"),
    "senioren": ("seniorencomplex", "seniorenflat"),
    "toegankelijk": ("accessible", "wheelchair access", "hellingbaan", "opstap"),
    "rolstoel": ("wheelchair", "rollator", "scootmobiel", "scootmobielen"),
    "traplift": ("stairlift", "trapleuning"),
    "drempel": ("opstap", "trappen"),
    "woningaanpassing": ("beugel", "leuning", "douche met een beugel", "aanpassing"),
    "mantelzorg": ("mantelzorger", "zorgt voor mij", "carer"),
    "zorg": ("care", "verpleeghuis", "noodknop", "slechtziend"),
    "lift": ("elevator",),
    "bewonerscommissie": ("bc", "residents committee"),
    "klantenraad": ("tenant council", "customer council"),
    "bewonersavond": ("residents evening", "informatieavond"),
    "inspraak": ("meebeslissen", "klankbordgroep"),
    "meedenken": ("mee te denken", "meedoen"),
    "meepraten": ("mee te praten",),
    "participatie": ("verkiezingen", "notulen", "bewonersbegeleider"),
    "enquete": ("survey", "vragenlijst", "enquête"),
    "bewonersinitiatief": ("initiatief",),
}

# --- concepts for clustering ------------------------------------------------------------------
# Groups of words (Dutch and English) that describe the same concrete thing, so that "lekt",
# "lekkage" and "leak" count as one shared feature when two signals are compared.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "phone": ("bellen", "gebeld", "gebelt", "belde", "telefoon", "telefonisch", "telefoonnummer",
              "nummer", "wacht", "bereiken", "bereikbaar", "onbereikbaar", "klantcontactcentrum",
              "phone", "line", "call", "verbinding", "klantenservice", "customer"),
    "heating": ("verwarming", "blokverwarming", "radiator", "radiatoren", "heating", "ketel",
                "koud", "ijskoud", "kou", "graden"),
    "hotwater": ("warm water", "hot water", "boiler", "geiser", "douche"),
    "leak": ("lek", "lekt", "lekken", "lekkage", "leak", "leaking", "waterschade", "plafond",
             "druppelt"),
    "roof": ("dak", "dakbedekking", "storm", "roof", "bovenste"),
    "mould": ("schimmel", "schimmelen", "beschimmeld", "mould", "mold", "schimmelplek", "condens",
              "vocht", "vochtig", "damp", "nat"),
    "door": ("deur", "voordeur", "portiekdeur", "toegangsdeur", "slot", "sluit", "intercom",
             "deurdranger", "door"),
    "burglary": ("inbraak", "inbraken", "ingebroken", "opengebroken", "gestolen", "berging",
                 "bergingen", "burglary", "stolen"),
    "mail": ("brievenbus", "brievenbussen", "post", "bankpas", "bankpassen", "mailbox"),
    "debit": ("afgeschreven", "geincasseerd", "incasso", "dubbel", "twee keer", "2x",
              "afschrijving", "terugstorten", "teruggestort", "debited"),
    "reminder": ("aanmaning", "herinnering", "waarschuwing", "achterstand", "incassokosten",
                 "incassodreiging", "reminder"),
    "registration": ("inschrijving", "ingeschreven", "inschrijfduur", "verlopen", "vervallen",
                     "verlenging", "wachttijd"),
    "charges": ("servicekosten", "afrekening", "jaarafrekening", "nabetaling", "naheffing",
                "service charge", "bill", "glasbewassing", "glazenwasser", "window", "facturen"),
    "stook": ("stookkosten", "bijbetalen", "verbruik", "meterstanden", "verdeelsleutel"),
    "tv": ("tv-aansluiting", "tv-kabel", "kabel", "tv", "glasvezel", "schotel", "schotels",
           "schotelantennes", "satellietschotel"),
    "dogs": ("hond", "honden", "hondenpoep", "poepen", "poep", "blaffen", "dogs"),
    "garden": ("tuin", "tuinonderhoud", "hovenier", "gras", "groen", "gardening"),
    "play": ("speeltuin", "speeltoestel", "glijbaan", "speelplek", "playground"),
    "frames": ("kozijn", "kozijnen", "kozijnvervanging", "ramen", "raam", "windows"),
    "renovation": ("renovatie", "renovatieplannen", "wisselwoning", "steigers", "verbouwing"),
    "meeting": ("bewonersavond", "avond", "presentatie", "verslag", "tolk", "meeting"),
    "sublet": ("airbnb", "toeristen", "onderverhuur", "verhuurd", "gasten", "subletting"),
    "scooter": ("scootmobiel", "scootmobielen", "scootmobielstalling", "stalling", "opladen"),
    "ramp": ("hellingbaan", "rolstoel", "rollator", "ramp"),
    "insulation": ("isolatie", "isolatieproject", "spouwmuurisolatie", "isoleren", "insulation"),
    "elections": ("verkiezingen", "gekozen", "stembiljet", "oproep", "democratisch"),
    "appointment": ("afspraak", "afspraken", "opdagen", "gekomen", "vrij", "thuis", "aannemer"),
    "lift": ("lift", "elevator"),
}
