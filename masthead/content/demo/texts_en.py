"""The English edition's words: pages, authors and the phrases its articles are built from.

Every sentence was written for the demo. The one exception is the reference article's
body, which reproduces the reference page the product brief is measured against.
"""

import datetime

from .editions import (
    AuthorText,
    ContactPageText,
    EditionTexts,
    FixedStory,
    ProsePageText,
    SectionText,
    StoryKind,
)

SECTIONS = (
    SectionText(
        "news",
        "What's the News",
        "The week's news from Iran and about Iran, reported and checked.",
        slug="whats-the-news",
    ),
    SectionText(
        "politics",
        "Politics",
        "Parliament, the government, the courts and the contest for power.",
        parent="news",
        slug="politics",
    ),
    SectionText(
        "society",
        "Society",
        "How Iranians live, work, study and get by.",
        parent="news",
        slug="society",
    ),
    SectionText(
        "diaspora",
        "Diaspora",
        "Iranians abroad: their communities, their achievements and their troubles.",
        slug="diaspora",
    ),
    SectionText("economy", "Economy", "Oil, money, prices, wages and trade.", slug="economy"),
    SectionText(
        "tidbits",
        "Tidbits and Morsels",
        "Short items, oddities and the stories between the headlines.",
        slug="tidbits-and-morsels",
    ),
    SectionText(
        "culture",
        "Culture",
        "Books, films, music, art and the Persian language.",
        slug="culture",
    ),
)

AUTHORS = (
    AuthorText(
        "farahani",
        "Nasrin Farahani",
        "Washington correspondent",
        "Nasrin Farahani covers American policy toward Iran from Washington. She joined "
        "the paper as a copy editor and has reported from Vienna, Geneva and the United "
        "Nations.",
        beats=("news", "politics", "diaspora"),
    ),
    AuthorText(
        "kamali",
        "Dariush Kamali",
        "Economics editor",
        "Dariush Kamali writes about oil, money and trade. Before journalism he spent ten "
        "years reading balance sheets for an import business in Hamburg.",
        beats=("economy",),
    ),
    AuthorText(
        "ahmadzadeh",
        "Leila Ahmadzadeh",
        "Culture editor",
        "Leila Ahmadzadeh reviews books and films and writes about the Persian language. "
        "She grew up in Shiraz and studied literature in London.",
        beats=("culture",),
    ),
    AuthorText(
        "rostami",
        "Kaveh Rostami",
        "Diaspora reporter",
        "Kaveh Rostami reports on Iranian communities in North America and Europe, from "
        "Persian schools to family businesses. He lives in Toronto.",
        beats=("diaspora", "society"),
    ),
    AuthorText(
        "tavakoli",
        "Shirin Tavakoli",
        "Society reporter",
        "Shirin Tavakoli writes about schools, health, housing and the environment, and "
        "about the people who keep them going.",
        beats=("society", "news"),
    ),
    AuthorText(
        "nourbakhsh",
        "Bijan Nourbakhsh",
        "Senior editor",
        "Bijan Nourbakhsh has edited the news pages for two decades and still reads every "
        "headline twice before it goes to print.",
        beats=("news", "politics", "archive"),
    ),
    AuthorText(
        "haddadi",
        "Mina Haddadi",
        "Editor, Persian edition",
        "Mina Haddadi edits the Persian edition and translates the paper's longer reports. "
        "She collects old Tehran newspapers.",
        beats=("culture", "society", "archive"),
    ),
    AuthorText(
        "jahanbani",
        "Parviz Jahanbani",
        "Columnist",
        "Parviz Jahanbani writes Tidbits and Morsels, the paper's weekly column of small "
        "news and large curiosities.",
        beats=("tidbits",),
    ),
)

PROSE_PAGES = (
    ProsePageText(
        "about",
        "About Us",
        "An independent weekly newspaper for Iranians and for everyone who follows Iran, "
        "published since 1970 and now updated every day.",
        (
            (
                "paragraph",
                "Iran Times began as a weekly printed in Washington for Iranians living "
                "abroad, and for readers at home who wanted a paper that no government "
                "edited. It has kept that promise through revolutions, wars and five "
                "decades of change.",
            ),
            ("heading", "What we publish"),
            (
                "paragraph",
                "We report the news from Iran and about Iran: politics, the economy, "
                "society and culture, and the lives of Iranians around the world. We "
                "publish in English and in Persian, and each edition is written for its "
                "own readers rather than translated line by line.",
            ),
            ("heading", "How we work"),
            (
                "paragraph",
                "Our reporters check what they are told before we print it, name their "
                "sources whenever they safely can, and correct their mistakes in the open. "
                "The paper takes no money from any government or political party. It "
                "lives on its subscribers and its advertisers, in that order.",
            ),
            (
                "paragraph",
                "Our back issues, from the first number in 1970, are being added to the "
                "archive on this site, where readers can browse them by year and by issue.",
            ),
        ),
    ),
    ProsePageText(
        "advertising",
        "Advertising",
        "Reach readers in Iran and in Iranian communities around the world, in English "
        "and in Persian.",
        (
            (
                "paragraph",
                "Iran Times readers are professionals, business owners, students and "
                "families who want reliable news about Iran. Many have read the paper for "
                "decades. Advertising with us puts your name in front of a loyal, "
                "well-informed audience in both of our editions.",
            ),
            ("heading", "Where your advertisement appears"),
            (
                "paragraph",
                "Advertisements run in the header of every page, beside articles, within "
                "longer articles and in the footer. A campaign can be limited to one "
                "edition, to particular sections such as Economy or Culture, and to the "
                "dates you choose.",
            ),
            (
                "paragraph",
                "We accept image advertisements and simple text advertisements. We do not "
                "track readers for advertising, and we count views and clicks without "
                "collecting personal information.",
            ),
            ("heading", "Getting in touch"),
            (
                "paragraph",
                "Write to us through the Contact Us page with a few words about your "
                "business and the readers you hope to reach, and our advertising manager "
                "will reply with rates and available dates.",
            ),
        ),
    ),
    ProsePageText(
        "subscription",
        "Subscription",
        "Most of our journalism is free to read. A subscription pays for it and opens the rest.",
        (
            (
                "paragraph",
                "Some articles, such as investigations and longer features, are for "
                "subscribers. Registered readers can read a few of them each month at no "
                "cost; a subscription removes the limit.",
            ),
            ("heading", "Plans"),
            (
                "paragraph",
                "The monthly digital plan gives full access to both editions and the "
                "archive, and can be cancelled at any time. The annual digital plan gives "
                "the same access for a year at a lower price than twelve monthly "
                "payments. The print and digital plan adds the weekly printed paper, "
                "posted to your door.",
            ),
            (
                "paragraph",
                "If you read us only now and then, an unlock pack lets you open a set "
                "number of subscriber articles whenever you choose, with no renewal.",
            ),
            ("heading", "Paying"),
            (
                "paragraph",
                "Where card payments are switched on you can pay by card when you "
                "subscribe online. Readers who prefer to pay "
                "by cheque or bank transfer choose a plan above and quote the reference "
                "they are given; our subscriptions manager starts the subscription when "
                "the payment arrives. You can cancel or resume your subscription from "
                "your account page at any time.",
            ),
        ),
    ),
)

CONTACT = ContactPageText(
    title="Contact Us",
    intro="<p>Questions, tips, corrections and letters to the editor are all welcome. "
    "We read every message, and we answer most of them within two working days.</p>",
    thank_you="<p>Thank you for writing to us. A member of our staff will reply soon.</p>",
    subject="A message from the Iran Times website",
    fields=(
        ("name", "Your name", "singleline"),
        ("email", "Your email address", "email"),
        ("subject", "Subject", "singleline"),
        ("message", "Message", "multiline"),
    ),
)

KINDS = {
    "news": (
        StoryKind(
            headlines=(
                "Foreign Ministry Summons {country} Ambassador Over Visa Row",
                "Tehran and {country} Trade Barbs in Widening Dispute",
                "Ambassador of {country} Summoned in Tehran",
            ),
            standfirsts=(
                "A quarrel over visas has turned into the sharpest diplomatic row between "
                "the two capitals in years.",
                "Neither side shows any sign of backing down, diplomats say.",
            ),
            sentences=(
                "The Foreign Ministry summoned the ambassador of {country} on {weekday} to "
                "protest what it called an unfriendly act, the latest turn in a dispute "
                "that has simmered for weeks.",
                "Diplomats in {foreign_city} said neither side appeared ready to back down.",
                "The ministry's statement was read on state radio but gave few details.",
                "A spokesman for the embassy of {country} declined to comment on the summons.",
                "Trade between the two countries has grown in recent years, which diplomats "
                "say gives both capitals a reason to keep the quarrel short.",
                "Former diplomats said the row was as much about politics at home as about "
                "relations abroad.",
                "Travellers with family in {country} said they were already being asked "
                "for extra documents at the consulate.",
            ),
            tags=("Diplomacy", "Foreign Ministry"),
        ),
        StoryKind(
            headlines=(
                "Earthquake Shakes {province}, Cutting Off Villages",
                "Quake Brings Down Village Homes in {province}",
            ),
            standfirsts=(
                "Rescue teams are struggling to reach mountain villages where mud-brick "
                "houses gave way.",
            ),
            sentences=(
                "A strong earthquake of magnitude {magnitude} struck {province} province "
                "before dawn on {weekday}, bringing down mud-brick houses in a string of "
                "villages and cutting roads into the mountains.",
                "Local officials said roads to at least {number} villages were blocked.",
                "Relief teams were sent to the area by truck and helicopter.",
                "Residents said they had spent the night in the cold beside their damaged "
                "homes, afraid of aftershocks.",
                "Engineers have warned for years that most village houses would not "
                "survive a strong quake.",
                "The provincial governor said tents, blankets and bread were on their way.",
            ),
            tags=("Earthquakes", "Environment"),
        ),
        StoryKind(
            headlines=(
                "Border Guards Seize Record Haul of Smuggled Goods Near {border_town}",
                "Smugglers Caught With Truckloads of Cloth Near {border_town}",
            ),
            standfirsts=(
                "Merchants say contraband is driving honest manufacturers out of business.",
            ),
            sentences=(
                "Border guards near {border_town} seized a convoy of smuggled goods, "
                "including household appliances and bolts of cloth, the regional "
                "commander said on {weekday}.",
                "The commander put the value of the haul at several billion rials.",
                "Smuggling across the country's eastern and western borders has troubled "
                "governments for generations.",
                "Merchants in the bazaar say contraband makes it impossible for local "
                "workshops to compete.",
                "Officials said {number} people had been detained in connection with the case.",
                "Villagers along the border say carrying goods is often the only work available.",
            ),
            tags=("Smuggling", "Courts"),
        ),
        StoryKind(
            headlines=(
                "Water Rationing Begins in {city} as Reservoirs Run Low",
                "{city} Taps Run Dry for Hours Each Night",
            ),
            standfirsts=(
                "After a dry winter, the city's reservoirs hold less than a third of "
                "their usual water.",
            ),
            sentences=(
                "The water company in {city} began cutting supplies for several hours "
                "each night this week, saying the city's reservoirs were at their lowest "
                "level in decades.",
                "Families have started filling bathtubs and buckets in the evening.",
                "Farmers upstream say they have already given up a season's crops so that "
                "the city can drink.",
                "Experts blame years of deep wells and thirsty crops as much as the lack of rain.",
                "The company asked residents to cut their use by {percent} percent.",
                "Sellers of water tanks say they cannot keep up with orders.",
            ),
            tags=("Water", "Environment"),
        ),
    ),
    "politics": (
        StoryKind(
            headlines=(
                "Majlis Rejects Government Plan to Raise Fuel Prices",
                "Deputies Vote Down Petrol Price Rise",
            ),
            standfirsts=(
                "The government says fuel subsidies help the rich most; its critics say "
                "the poor would pay for any change.",
            ),
            sentences=(
                "Deputies in the Majlis voted down the government's plan to raise the "
                "price of petrol on {weekday}, by a wide margin.",
                "Opponents of the plan said higher fuel prices would put new pressure on "
                "families with low incomes.",
                "The government argues that cheap fuel helps the well-off, who drive more, "
                "far more than the poor.",
                "A member of the budget committee said the government should explain how "
                "it would compensate families before asking for any increase.",
                "The bill is expected to return to the chamber with changes.",
                "Deputies from {province} said their province had been short-changed in "
                "the budget for years.",
            ),
            tags=("Majlis", "Budget"),
        ),
        StoryKind(
            headlines=(
                "Campaign Heats Up in {city} Ahead of Vote",
                "{number} Candidates Barred From Running in {province}",
            ),
            standfirsts=("Turnout in the big cities will decide the result, observers say.",),
            sentences=(
                "With polling day approaching, candidates in {city} have taken their "
                "campaigns to mosques, bazaars and university gates.",
                "Observers say turnout in the big cities will be decisive.",
                "Several candidates have appealed against their disqualification and are "
                "waiting for an answer.",
                "In the southern districts of the city, many voters say prices and jobs "
                "matter to them more than anything else.",
                "Supporters handed out leaflets in the streets until midnight.",
                "Some voters said they had not yet decided whether to vote at all.",
            ),
            tags=("Elections", "Majlis"),
        ),
        StoryKind(
            headlines=(
                "Deputies Move to Impeach {minister}",
                "{minister} Faces Grilling in Parliament",
            ),
            standfirsts=("His critics accuse him of mismanaging the ministry.",),
            sentences=(
                "A group of deputies handed the presiding board a motion to impeach "
                "{minister}, signed by {number} members.",
                "They accuse the minister of mismanaging his ministry and of breaking "
                "promises made at his confirmation.",
                "The minister told reporters briefly that he was ready to answer every question.",
                "No date has been set for the impeachment hearing.",
                "Impeachments of ministers have rarely ended in dismissal in recent years.",
                "Allies of the minister said the motion was a settling of old scores.",
            ),
            tags=("Majlis",),
        ),
        StoryKind(
            headlines=(
                "New Governor Named for {province} After Months of Wrangling",
                "Interior Ministry Replaces Governor of {province}",
            ),
            standfirsts=(
                "The appointment ends a standoff between the ministry and local deputies.",
            ),
            sentences=(
                "The Interior Ministry has named a new governor for {province}, ending "
                "months in which the post was filled by a caretaker.",
                "Local deputies had rejected two earlier candidates as outsiders.",
                "The new governor, a civil engineer by training, has served as mayor of {city}.",
                "He promised to put water, roads and jobs at the top of his list.",
                "Residents said they would judge him by what he did, not by what he said.",
            ),
            tags=("Elections",),
        ),
    ),
    "society": (
        StoryKind(
            headlines=(
                "Rents in {city} Climb Faster Than Wages, Survey Finds",
                "Young Couples Priced Out of Homes in {city}",
            ),
            standfirsts=("Many tenants are moving to the edge of the city or to smaller flats.",),
            sentences=(
                "A new survey shows rents in {city} rose by nearly {percent} percent over "
                "the past year.",
                "Many tenants have had to move to the edge of the city or into smaller flats.",
                "An estate agent in the city centre said families came in every day who "
                "could no longer afford the house they rented last year.",
                "The government has promised cheap housing, but most of the projects "
                "remain half built.",
                "Young couples have been hit hardest.",
                "Landlords say their own costs have risen too.",
            ),
            tags=("Housing",),
        ),
        StoryKind(
            headlines=(
                "Teachers in {city} Protest Late Pay",
                "Unpaid Teachers Rally in {city}",
            ),
            standfirsts=("Teachers say their pay has not kept up with prices.",),
            sentences=(
                "Hundreds of teachers gathered outside the education department in "
                "{city} on {weekday} to demand wages they say are overdue.",
                "Some said their pay had been delayed by {days} days.",
                "The provincial director of education blamed a shortfall in the budget "
                "and said the problem would be solved soon.",
                "Classes in several schools were cancelled for the day.",
                "Teachers say their salaries have fallen behind inflation and many now "
                "take second jobs.",
                "Parents said they sympathised, though some worried about the lost lessons.",
            ),
            tags=("Education", "Labor"),
        ),
        StoryKind(
            headlines=(
                "Dust Storms Close Schools in {city}",
                "Dust Storm Turns {city} Sky Brown",
            ),
            standfirsts=("Environmentalists blame dried-up wetlands and overused water.",),
            sentences=(
                "A dust storm turned the sky over {city} brown on {weekday}, and officials "
                "closed schools and government offices.",
                "Clinics reported hundreds of visits from people with breathing problems.",
                "Environmentalists say dried-up wetlands and the overuse of water are the "
                "main causes of the storms.",
                "Residents say the number of polluted days grows every year.",
                "The weather service expects the dust to linger until the end of the week.",
                "Farmers near the city said a crust of salt now covers fields that once "
                "grew wheat.",
            ),
            tags=("Environment", "Health"),
        ),
        StoryKind(
            headlines=(
                "Hospitals in {province} Run Short of Imported Medicines",
                "Patients in {city} Queue for Scarce Insulin",
            ),
            standfirsts=("Pharmacists say they can fill only part of each prescription.",),
            sentences=(
                "Hospitals in {province} say they are running short of several imported "
                "medicines, including drugs for cancer and diabetes.",
                "Pharmacists in {city} said they could fill only part of many prescriptions.",
                "Patients described travelling from one pharmacy to the next in search "
                "of a single box.",
                "The health ministry said new shipments were on their way.",
                "Doctors warned that patients who stop their treatment could fall seriously ill.",
            ),
            tags=("Health",),
        ),
    ),
    "diaspora": (
        StoryKind(
            headlines=(
                "Iranians in {diaspora_city} Celebrate Nowruz With Street Festival",
                "Nowruz Festival Draws Thousands in {diaspora_city}",
            ),
            standfirsts=(
                "For the children of immigrants, the festival is a way into their "
                "parents' language and customs.",
            ),
            sentences=(
                "Thousands of Iranians in {diaspora_city} turned out last weekend for a "
                "street festival to welcome Nowruz.",
                "Haft-sin tables, traditional music and food stalls lined the street.",
                "The organisers said more people came this year than ever before.",
                "For many children of immigrants, the festival is a way into their "
                "parents' language and customs.",
                "The mayor of {diaspora_city} joined the crowd to wish the city's "
                "Iranians a happy new year.",
                "Volunteers spent weeks growing sabzeh and painting eggs for the tables.",
            ),
            tags=("Nowruz", "Diaspora"),
        ),
        StoryKind(
            headlines=(
                "Iranian-Born Engineer in {diaspora_city} Wins Top Award",
                "{diaspora_city} Engineer Honoured for Solar Research",
            ),
            standfirsts=("Colleagues say she also mentors newly arrived Iranian students.",),
            sentences=(
                "An Iranian-born engineer living in {diaspora_city} has won a leading "
                "award for her research on solar power.",
                "She spent her teenage years in {city} and credits her high-school "
                "teachers with her love of science.",
                "Iranian associations in the city sent their congratulations.",
                "Colleagues say that besides her research she helps newly arrived "
                "Iranian students find their feet.",
                "The award goes each year to {number} outstanding researchers.",
            ),
            tags=("Diaspora", "Students"),
        ),
        StoryKind(
            headlines=(
                "Iranian Students Abroad Wait Months for Visas",
                "Students Bound for {host_country} Stuck Waiting for Visas",
            ),
            standfirsts=("Some students have had to put off their studies by a term.",),
            sentences=(
                "Hundreds of Iranian students admitted to foreign universities have been "
                "waiting months for their visas.",
                "Some have had to put off the start of their studies by a term.",
                "Families say the cost of travelling to neighbouring countries for "
                "embassy interviews is a heavy burden.",
                "An immigration lawyer in {diaspora_city} said some cases take more than a year.",
                "A group of students has written an open letter to members of parliament "
                "in {host_country}.",
            ),
            tags=("Visas", "Students", "Migration"),
        ),
        StoryKind(
            headlines=(
                "Expatriates Ask How to Reclaim Family Property in {city}",
                "Iranians in {host_country} Struggle to Send Money Home",
            ),
            standfirsts=("Lawyers say the paperwork can take years.",),
            sentences=(
                "Iranians living in {host_country} say settling family property in {city} "
                "has become a maze of paperwork and long-distance phone calls.",
                "Lawyers say cases involving heirs abroad can take years to resolve.",
                "Some families have given power of attorney to relatives, and regretted it.",
                "Sending money home has become harder too, as banks refuse transfers.",
                "Community groups in {diaspora_city} now hold regular evenings with lawyers "
                "to answer questions.",
            ),
            tags=("Diaspora", "Migration"),
        ),
    ),
    "economy": (
        StoryKind(
            headlines=(
                "Rial Slides Against Dollar as Traders Rush for Cover",
                "Central Bank Sells Gold Coins to Calm Currency Market",
            ),
            standfirsts=("People are turning their savings into dollars and gold, dealers say.",),
            sentences=(
                "The rial lost {percent} percent of its value against the dollar on "
                "Tehran's open market this week.",
                "Money changers say demand for foreign currency from travellers and "
                "importers has surged.",
                "The Central Bank said it would sell more gold coins and foreign currency "
                "to steady the market.",
                "A weaker rial pushes up the price of imported goods and feeds inflation.",
                "A dealer in the bazaar said people were turning their savings into "
                "dollars and gold as fast as they could.",
                "Economists said the bank's sales would buy time but change little.",
            ),
            tags=("Currency", "Central Bank"),
        ),
        StoryKind(
            headlines=(
                "Exports of {commodity} Rise {percent}% on Demand From {country}",
                "{commodity} Exporters Find New Buyers in {country}",
            ),
            standfirsts=("Producers say transport costs and water shortages eat into profits.",),
            sentences=(
                "Exports of {commodity} rose {percent} percent in the first half of the "
                "year compared with the same period last year.",
                "Most of the increase went to {country} and the countries of the Persian Gulf.",
                "Producers say the cost of transport and the shortage of water are eating "
                "into their profits.",
                "The chamber of commerce has asked for simpler customs rules for exporters.",
                "Experts warn that without investment in packaging, foreign markets will "
                "be lost to competitors.",
            ),
            tags=("Exports", "Agriculture"),
        ),
        StoryKind(
            headlines=(
                "Price of Bread Goes Up in {city}",
                "Bakers in {city} Raise Bread Prices",
            ),
            standfirsts=("Bread is the staple of the daily table, and every rise is felt.",),
            sentences=(
                "Bakeries in {city} are selling bread at new prices from this week.",
                "The bakers' guild says the rising cost of flour and wages left it no choice.",
                "Many families say bread is the staple of their daily table and they feel "
                "every increase.",
                "The governor's office in {city} has promised to watch prices closely.",
                "Official inflation passed {percent} percent last month.",
                "Workers at a textile mill outside the city said they had not been paid "
                "for {days} days.",
            ),
            tags=("Inflation", "Wages"),
        ),
        StoryKind(
            headlines=(
                "Oil Output Dips as Southern Fields Age",
                "Crude Output Slips at Ageing Fields",
            ),
            standfirsts=("Engineers say the old fields need investment they are not getting.",),
            sentences=(
                "Crude output fell slightly last month as pressure declined in some of "
                "the country's oldest fields.",
                "Engineers say the fields need new investment to keep producing.",
                "The oil ministry said repairs at two platforms would be finished soon.",
                "Oil still pays for a large share of the government's budget.",
                "Buyers in {country} have asked for steadier deliveries.",
                "Workers in {province} said the expansion of the local refinery had been "
                "promised for years.",
            ),
            tags=("Oil", "Energy"),
        ),
    ),
    "tidbits": (
        StoryKind(
            headlines=(
                "Tehran Cab Driver Returns Bag Holding a Family's Savings",
                "Honest Cabbie Wins Hearts in Tehran",
            ),
            standfirsts=("He says anyone would have done the same.",),
            sentences=(
                "A taxi driver in Tehran returned a bag that a passenger had left in his "
                "car, with everything still inside it.",
                "The bag held a family's savings of several years, meant for a new flat.",
                "The driver said anyone in his place would have done the same.",
                "The story spread by word of mouth after the owner told his friends.",
                "The taxi drivers' union plans to honour him.",
            ),
            tags=("Tehran",),
        ),
        StoryKind(
            headlines=(
                "Snow Falls in {city} for First Time in Years",
                "Rare Snow Delights Children in {city}",
            ),
            standfirsts=("Children abandoned their lessons to build snowmen.",),
            sentences=(
                "Residents of {city} woke on {weekday} to a rare sight: snow on the roofs "
                "and in the gardens.",
                "Children left their lessons and poured into the lanes to build snowmen.",
                "Older residents say they last saw such snow decades ago.",
                "The weather service expects the cold to last until the end of the week.",
                "Traffic on some streets was held up for a few hours.",
            ),
            tags=("Weather",),
        ),
        StoryKind(
            headlines=(
                "Persian Leopard Spotted Near Village in {province}",
                "Rangers Confirm Leopard Sighting in {province}",
            ),
            standfirsts=("Rangers have confirmed the sighting with a camera trap.",),
            sentences=(
                "Villagers in {province} province say they saw a Persian leopard at the "
                "edge of their orchards.",
                "Rangers set up cameras in the area and confirmed that the animal was there.",
                "The Persian leopard is endangered, and its numbers have fallen in recent years.",
                "Officials asked villagers to keep their livestock in pens at night.",
                "Experts say a lack of prey in the mountains is drawing leopards closer "
                "to villages.",
            ),
            tags=("Wildlife", "Environment"),
        ),
        StoryKind(
            headlines=(
                "{city} Bakery Claims Record for Longest Flatbread",
                "Giant Sangak Loaf Draws Crowd in {city}",
            ),
            standfirsts=("The attempt drew a crowd, and the bread was shared out afterwards.",),
            sentences=(
                "A bakery in {city} says it has baked the longest sangak loaf ever made, "
                "at more than twenty metres.",
                "Bakers took turns feeding the dough into a specially built oven.",
                "A crowd gathered outside to watch, and the bread was shared out afterwards.",
                "The owner said the attempt was a tribute to his father, who opened the "
                "bakery decades ago.",
                "No one from any book of records was present to confirm the claim.",
            ),
            tags=("Tehran",),
        ),
    ),
    "culture": (
        StoryKind(
            headlines=(
                "Book Fair Draws Crowds Despite Paper Shortage",
                "Readers Pack Book Fair as Prices Soar",
            ),
            standfirsts=("Publishers say the price of books has nearly doubled in a year.",),
            sentences=(
                "This year's book fair drew large crowds from its first day, despite "
                "expensive paper and smaller print runs.",
                "Publishers say the price of books has almost doubled in a year.",
                "Stands selling children's books and translated novels were the busiest.",
                "A literature student said she bought fewer books now, but still came every year.",
                "The organisers said more than {number} publishers had taken part.",
            ),
            tags=("Books",),
        ),
        StoryKind(
            headlines=(
                "{city} Film Festival Opens With Debut by Young Director",
                "Young Director's Debut Opens {city} Festival",
            ),
            standfirsts=("The audience stood to applaud at the end of the screening.",),
            sentences=(
                "The {city} film festival opened on {weekday} evening with the first "
                "feature by a young director.",
                "The film follows a family returning to their ancestral village after "
                "many years away.",
                "The hall was full, and the audience stood to applaud at the end.",
                "{number} films will be shown across the festival's sections.",
                "Critics say independent Iranian cinema keeps finding new talent despite "
                "tight budgets.",
            ),
            tags=("Film",),
        ),
        StoryKind(
            headlines=(
                "Restorers Race to Save Caravanserai Near {city}",
                "Centuries-Old Caravanserai Near {city} Gets a New Roof",
            ),
            standfirsts=("Traditional brick and mortar are being used to keep the building true.",),
            sentences=(
                "A team of restorers has begun work on a centuries-old caravanserai near {city}.",
                "Parts of the roof and walls collapsed in heavy rains in recent years.",
                "The head of the team said the work uses traditional brick and mortar so "
                "that the building keeps its character.",
                "The caravanserai once sheltered trading caravans on the road between the "
                "north and the south.",
                "Local people hope the restored building will bring visitors to the area.",
            ),
            tags=("Heritage",),
        ),
        StoryKind(
            headlines=(
                "Classical Musicians Fill Concert Hall in {diaspora_city}",
                "Young Setar Players Revive Forgotten Melodies",
            ),
            standfirsts=("Many in the audience had never heard the old songs played live.",),
            sentences=(
                "An ensemble of classical Persian musicians played to a full hall in "
                "{diaspora_city} on {weekday} night.",
                "The programme drew on melodies collected from villages a century ago.",
                "Many in the audience had never heard the songs played live.",
                "The ensemble's leader said young musicians were rediscovering the old repertoire.",
                "The tour continues to {number} more cities.",
            ),
            tags=("Music",),
        ),
    ),
}

# Said of any story; HARD_NEWS only of the news, politics, society and economy sections.
GENERAL_SENTENCES = (
    "Several Tehran newspapers carried the story, with notably different emphasis.",
    "In shared taxis and bread queues, the subject has become a staple of conversation.",
    "Word of the story travelled fast, by telephone and by word of mouth.",
    "Similar stories have been reported before, though rarely on this scale.",
    "Readers who know more about the story are welcome to write to the paper.",
)

HARD_NEWS = (
    "Officials did not respond to requests for comment.",
    "Observers expect the matter to take on new dimensions in the weeks ahead.",
    "Many people remain sceptical of official promises, having heard similar ones before.",
    "A university lecturer in {city} said the roots of the problem went back years.",
    "It is not yet clear what the episode will mean for ordinary families.",
    "Official figures are sparse and, critics say, often rosier than the reality.",
)

HEADINGS = (
    "Background",
    "What comes next",
    "Reaction",
    "The view from the street",
    "What we know",
    "A long history",
    "By the numbers",
)

SECTION_SENTENCES = {
    "news": (
        "Officials in {city} said they were following the matter closely.",
        "The news was carried on the evening bulletin of state radio.",
        "A retired official said the episode showed how little had changed in years.",
        "People in {city} said they had heard the news first from neighbours.",
        *HARD_NEWS,
    ),
    "politics": (
        "The debate in the Majlis lasted late into the evening.",
        "Several deputies said they had not been consulted.",
        "A former minister said the government had made the fight harder than it needed to be.",
        "Political analysts in Tehran said the vote was a test of the government's strength.",
        *HARD_NEWS,
    ),
    "society": (
        "Social workers in {city} say more families are asking for help than a year ago.",
        "Residents said they had written to the city council more than once.",
        "Sociologists say the change has been gradual but unmistakable.",
        "Charities in {city} have stepped in where the state has not.",
        *HARD_NEWS,
    ),
    "diaspora": (
        "Iranian community groups in {diaspora_city} have grown in number and confidence.",
        "Many of those who left decades ago still follow the news from home every day.",
        "Second-generation Iranians often speak Persian at home and English everywhere else.",
        "Community leaders said they hoped the story would encourage younger Iranians.",
    ),
    "economy": (
        "Economists in Tehran say the figures hide wide differences between provinces.",
        "Traders in the bazaar say uncertainty is the biggest cost of doing business.",
        "Prices of {commodity} have moved sharply in recent months.",
        "The statistics centre is expected to publish fuller figures next month.",
        *HARD_NEWS,
    ),
    "tidbits": (
        "Nobody could remember anything quite like it.",
        "The story was the talk of the town for a week.",
        "Local newspapers ran photographs on their front pages.",
    ),
    "culture": (
        "Critics in Tehran gave the work a warm welcome.",
        "Tickets sold out within days.",
        "The Persian language, one critic wrote, has rarely sounded so fresh.",
        "Young audiences have embraced the old forms in new settings.",
    ),
}

COMPLAINTS = (
    ("Nobody asked us. We just want to live decently.", "A shopkeeper in {city}"),
    ("This decision is years overdue.", "An economist in Tehran"),
    ("We will have to wait and see what happens in practice.", "A former member of parliament"),
    ("We still have hope for this country and its future.", "A student in {city}"),
    (
        "Every year it gets a little harder, and every year we are told it will get easier.",
        "A retired teacher in {city}",
    ),
    ("The rules change faster than we can read them.", "A trader in the Tehran bazaar"),
)

QUOTES = {
    "news": COMPLAINTS,
    "politics": COMPLAINTS,
    "society": COMPLAINTS,
    "economy": COMPLAINTS,
    "diaspora": (
        ("We left the country, but the country never left us.", "A volunteer in {diaspora_city}"),
        (
            "My children answer me in English, but now and then they dream in Persian.",
            "A mother in {diaspora_city}",
        ),
    ),
    "tidbits": (
        (
            "I have lived here seventy years and never seen anything like it.",
            "A retired baker in {city}",
        ),
        ("My children will be telling this story to their children.", "A resident of {city}"),
    ),
    "culture": (
        ("Every generation has to find its own way into the old poems.", "A teacher in {city}"),
        (
            "We make films with almost nothing, and audiences can tell we mean it.",
            "A young film-maker",
        ),
    ),
}

SLOTS = {
    "city": (
        "Tehran",
        "Isfahan",
        "Tabriz",
        "Mashhad",
        "Shiraz",
        "Ahvaz",
        "Kermanshah",
        "Rasht",
        "Yazd",
        "Kerman",
        "Qazvin",
        "Zanjan",
        "Hamadan",
        "Bandar Abbas",
        "Sari",
        "Arak",
    ),
    "province": (
        "Khuzestan",
        "Gilan",
        "Fars",
        "Khorasan",
        "East Azerbaijan",
        "Kerman",
        "Sistan and Baluchestan",
        "Mazandaran",
        "Hormozgan",
        "Kurdistan",
    ),
    "country": (
        "Turkey",
        "Iraq",
        "Russia",
        "China",
        "India",
        "Germany",
        "France",
        "Japan",
        "Pakistan",
        "Armenia",
        "Oman",
        "Qatar",
    ),
    "foreign_city": (
        "Vienna",
        "Geneva",
        "Istanbul",
        "Dubai",
        "Baghdad",
        "Moscow",
        "Beijing",
        "Ankara",
        "Muscat",
        "Doha",
    ),
    "diaspora_city": (
        "Los Angeles",
        "Toronto",
        "London",
        "Hamburg",
        "Vancouver",
        "Stockholm",
        "Sydney",
        "Houston",
        "Washington",
        "Paris",
    ),
    "host_country": ("America", "Canada", "Britain", "Germany", "Sweden", "Australia"),
    "number": ("12", "17", "23", "31", "40", "65"),
    "days": ("45", "60", "90", "120"),
    "percent": ("8", "12", "15", "22", "30", "45"),
    "weekday": ("Saturday", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    "commodity": ("pistachios", "saffron", "steel", "cement", "carpets", "dates", "copper"),
    "minister": (
        "the roads minister",
        "the education minister",
        "the agriculture minister",
        "the health minister",
        "the energy minister",
    ),
    "border_town": ("Zahedan", "Baneh", "Sarakhs", "Astara", "Bazargan"),
    "magnitude": ("5.2", "5.8", "6.1", "6.4"),
}

# The reference page's article, word for word, and the stories around it in its section.
REFERENCE_TITLE = "Another Iran diplomat defects to the opposition"
REFERENCE_PARAGRAPHS = (
    "Maleki told Radio Farda he was defecting to protest the Islamic Republic’s “barbaric "
    "actions against the Iranian people.”",
    "He is the fourth diplomat to resign in the past year in support of Iran’s opposition "
    "movement.",
    "Mohammad Reza Heydari, an embassy counselor in Norway, was the first to defect in "
    "January 2010. He forecast that many more would follow him, but there has not been a "
    "flood.",
    "Hossein Alizadeh, 45, the deputy head of mission, the Number Two diplomat, in Iran’s "
    "embassy in Helsinki, Finland, and Farzad Farhangian, 47, the press attaché at Iran’s "
    "embassy in Brussels, Belgium, both left their posts last August.",
    "Some say the small number of defections is because the Foreign Ministry is putting "
    "pressure on diplomats through threats against parents or siblings left in Iran.",
    "The latest defector, Maleki, has joined the Green Embassy Campaign, started by Heydari "
    "to show “that ex-diplomats of the Iranian regime are now dissidents and against the "
    "regime.”",
    "The total number in the Green Embassy Campaign is now seven—the four who have defected "
    "since the June 2009 elections plus three other diplomats who had defected in previous "
    "years.",
    "The Islamic Republic has remained silent about Maleki’s defection. The Foreign "
    "Ministry had ridiculed the previous two defectors, saying they refused to return home "
    "for personal reasons that did harm to the national interest.",
    "Foreign Ministry spokesman Ramin Mehman-Parast said in December that over the years "
    "about 20 diplomats had not returned home after completing their three-year "
    "assignments abroad, a number that is likely to be on the low side in the tradition of "
    "official figures. The spokesman also preferred to describe them as refusing to return "
    "home, rather than as defectors.",
    "Maleki said his defection was prompted by harsh actions taken against the opposition, "
    "with the immediate cause being the suppression of the February 14 protest.",
    "Maleki is optimistic about the future. In his interview with Radio Farda, he said the "
    "resignation of Iranian diplomats has “a positive effect as the first step against "
    "suppression,” adding that “following recent incidents in Iran and people [leaving the "
    "Foreign Ministry], the upcoming events will take us toward victory.”",
    "It isn’t known where Maleki will go to live. Alizadeh was granted asylum in Finland "
    "and Farhangian flew to Oslo to join Heydari, who received asylum from Norway.",
)

REFERENCE_STORIES = (
    FixedStory(
        section="news",
        title="Price to free jailed Germans: Photo-op",
        standfirst="Berlin's foreign minister flew to Tehran, and two reporters flew home.",
        paragraphs=(
            "Two German reporters held for months in Tabriz were set free after Germany's "
            "foreign minister flew to Tehran to collect them, a visit the government "
            "presented at home as proof that Western capitals still come calling.",
            "The reporters had been arrested after interviewing the son of a woman facing "
            "a death sentence, and were accused of working without press visas.",
            "Officials in Berlin insisted that no deal had been struck. Pictures of the "
            "minister shaking hands in Tehran suggested that the price had been the "
            "pictures themselves.",
        ),
        tags=("Diplomacy", "Courts"),
        authors=("nourbakhsh",),
        published=datetime.date(2011, 3, 2),
    ),
    FixedStory(
        section="news",
        title=REFERENCE_TITLE,
        standfirst="He is the fourth diplomat in a year to quit in support of the opposition.",
        paragraphs=REFERENCE_PARAGRAPHS,
        tags=("Diplomacy", "Opposition", "Foreign Ministry"),
        authors=("nourbakhsh",),
        published=datetime.date(2011, 3, 9),
        complete=True,
    ),
    FixedStory(
        section="news",
        title="Mojahedin draw big name backing",
        standfirst="Former American officials lend their names to the group's campaign.",
        paragraphs=(
            "A string of former American officials have spoken at gatherings organised by "
            "supporters of the Mojahedin-e Khalq, lending well-known names to the group's "
            "campaign to be taken off the State Department's list of terrorist "
            "organisations.",
            "Supporters of the group said the speakers showed that opinion in Washington "
            "was shifting. Critics said the speakers knew little of the group's history.",
        ),
        tags=("Opposition", "United States"),
        authors=("farahani",),
        published=datetime.date(2011, 3, 16),
    ),
    FixedStory(
        section="news",
        title="Israelis in a tizzy over Iranian frigate in Med",
        standfirst="An Iranian warship's passage through the Suez Canal alarms Israel.",
        paragraphs=(
            "Israeli officials reacted with alarm as an Iranian frigate and a supply ship "
            "passed through the Suez Canal into the Mediterranean, the first such voyage "
            "in decades.",
            "The navy described the voyage as a training mission to Syria. Israeli "
            "ministers called it a provocation, while naval experts pointed out that two "
            "elderly ships posed little threat to anyone.",
        ),
        tags=("Diplomacy",),
        authors=("nourbakhsh", "farahani"),
        published=datetime.date(2011, 3, 23),
    ),
)


def _recent(section: str, title: str, standfirst: str, lead: str, tags, authors, days_ago):
    return FixedStory(
        section=section,
        title=title,
        standfirst=standfirst,
        paragraphs=(lead,),
        tags=tags,
        authors=authors,
        days_ago=days_ago,
    )


# The headlines the reference page lists, newest first within each menu, with new bodies.
# The "Latest" ones are the newest of all; they sit outside What's the News and Economy
# so that those sections' menus list the same stories as the reference page.
LATEST_STORIES = (
    _recent(
        "tidbits",
        "Hell Comes To A Pasdar Base North of Tehran",
        "Residents describe hours of blasts and fires in the hills.",
        "A chain of explosions shook a Revolutionary Guards base in the hills north of the "
        "capital late at night, residents said, with fires visible for hours. Officials "
        "gave no figure for casualties.",
        ("Tehran",),
        ("jahanbani",),
        0.3,
    ),
    _recent(
        "diaspora",
        "US Mail To Iran Is Suspended",
        "Families lose the simplest way to send documents and gifts home.",
        "The US Postal Service has stopped accepting letters and parcels addressed to "
        "Iran, leaving Iranian-Americans without a simple way to send documents and gifts "
        "to relatives.",
        ("Diaspora", "United States"),
        ("rostami",),
        0.7,
    ),
    _recent(
        "tidbits",
        "President Takes Time Off For Surgery",
        "His deputies will chair cabinet meetings while he recovers.",
        "The president is taking several days off for what his office called a routine "
        "operation, and his deputies will chair cabinet meetings in his absence.",
        ("Tehran",),
        ("jahanbani",),
        1.2,
    ),
    _recent(
        "tidbits",
        "After Month Of Talks, Trump Decides He Wants No Enrichment",
        "The American position hardens after weeks of indirect talks.",
        "After a month of talks through intermediaries, the American position has "
        "hardened into a demand that Iran give up uranium enrichment altogether, "
        "according to officials briefed on the discussions.",
        ("Nuclear", "United States"),
        ("farahani",),
        1.6,
    ),
    _recent(
        "tidbits",
        "The Lights Are Going Out All Over Iran",
        "Scheduled blackouts return as power plants fall short of demand.",
        "Scheduled blackouts of two hours or more have returned to most cities as power "
        "plants fall short of demand, and shopkeepers say business is suffering.",
        ("Energy",),
        ("kamali",),
        2.1,
    ),
    _recent(
        "tidbits",
        "Drone Attack That Killed 3 US Troops in Jordan Could Have Been Foiled",
        "A review finds warning signs were missed, officials say.",
        "A review of the drone strike that killed three American soldiers at an outpost "
        "in Jordan found that warning signs were missed, according to officials familiar "
        "with its findings.",
        ("United States",),
        ("farahani",),
        2.5,
    ),
    _recent(
        "diaspora",
        "Iranian-Canadians Reportedly Turned Away at US Border",
        "Community groups say travellers with Canadian passports were refused entry.",
        "Several Iranian-Canadians say they were refused entry at land crossings into the "
        "United States despite holding Canadian passports, according to community groups "
        "in Toronto and Vancouver.",
        ("Diaspora", "Visas"),
        ("rostami",),
        2.9,
    ),
    _recent(
        "diaspora",
        "Iranian-Americans: an Account of Integration and Achievement",
        "A new study charts a community's path since 1979.",
        "A new study of Iranian-Americans describes a community that arrived in large "
        "numbers after 1979 and has become one of the most highly educated groups in the "
        "country.",
        ("Diaspora", "Migration"),
        ("rostami", "haddadi"),
        3.3,
    ),
    _recent(
        "culture",
        "Jamshid Myth",
        "Each age has made its own king of the legend.",
        "The legend of Jamshid, the king said to have founded Nowruz, has been retold for "
        "three thousand years. A new book asks what each age has made of him.",
        ("Books", "Nowruz"),
        ("ahmadzadeh",),
        3.8,
    ),
)

NEWS_MENU_STORIES = (
    _recent(
        "news",
        "Army Says It Makes Some Officers UN Peacekeepers",
        "The army presents the postings as a sign of standing abroad.",
        "The army says a small number of its officers have been seconded to United "
        "Nations peacekeeping missions, an arrangement it describes as a mark of "
        "professional standing. It did not say which missions they had joined.",
        ("Diplomacy",),
        ("nourbakhsh",),
        4.2,
    ),
    _recent(
        "news",
        "Iran May Curry Favor With Egypt By Axing Street Name",
        "A street name that has irritated Cairo for decades may finally go.",
        "Tehran's city council is weighing whether to rename a street whose name has long "
        "irritated Cairo, a gesture that diplomats read as part of a slow thaw between "
        "the two capitals.",
        ("Diplomacy", "Tehran"),
        ("farahani",),
        5.0,
    ),
    _recent(
        "news",
        "Regime Barks Loudly At Dog Owners",
        "Owners say a ban on walking dogs in parks is enforced unevenly.",
        "Police in several cities have warned that walking dogs in public parks is an "
        "offence, the latest round in a long campaign against pet dogs that owners say is "
        "applied unevenly.",
        ("Tehran",),
        ("tavakoli",),
        5.8,
    ),
    _recent(
        "news",
        "Campaign To Rid Iran of Afghans Moves Into Trumpian High Gear",
        "Checkpoints, workplace inspections and deadlines announced on television.",
        "Officials have stepped up a drive to send undocumented Afghan migrants back "
        "across the border, with checkpoints, workplace inspections and deadlines "
        "announced on state television.",
        ("Migration",),
        ("tavakoli",),
        6.5,
    ),
    _recent(
        "news",
        "Russia, China Interfere To Stunt Iran Nuclear Plan",
        "A proposal at the United Nations stalls, diplomats say.",
        "Diplomats at the United Nations say Russia and China have moved to block a "
        "proposal on Iran's nuclear programme, leaving its sponsors looking for another "
        "route.",
        ("Nuclear", "Diplomacy"),
        ("farahani",),
        7.4,
    ),
    _recent(
        "news",
        "Regime Hangs Convicted Killer of 7 in 2022 Protests",
        "Rights groups had appealed for a retrial.",
        "The judiciary said it had carried out the death sentence of a man convicted in "
        "connection with the deaths of seven people during the 2022 protests. Rights "
        "groups had appealed for a retrial.",
        ("Courts",),
        ("nourbakhsh",),
        8.3,
    ),
    _recent(
        "news",
        "Trump Kicks Trio Off Iran Issues For Being Too Pro-Israel",
        "Three officials are moved to other duties, people familiar with the decision say.",
        "Three officials who worked on Iran policy have been moved to other duties, "
        "according to people familiar with the decision, who said the White House wanted "
        "advisers less closely identified with Israel's positions.",
        ("United States",),
        ("farahani",),
        9.1,
    ),
    _recent(
        "news",
        "Omid The Siberian Crane May Have Died",
        "Conservationists fear for the lone crane that wintered in the north.",
        "Omid, the lone Siberian crane that has wintered for years in the wetlands of "
        "Fereydunkenar, has not been seen this season, and conservationists fear the bird "
        "has died.",
        ("Wildlife", "Environment"),
        ("tavakoli",),
        10.2,
    ),
    _recent(
        "news",
        "Israel Built Drones In A Factory Set Near Tehran",
        "Investigators say attack drones were assembled in a workshop outside the capital.",
        "Investigators say drones used in attacks inside the country were assembled in a "
        "workshop outside the capital, according to reports carried by Iranian media.",
        ("Tehran",),
        ("nourbakhsh",),
        11.0,
    ),
)

ECONOMY_MENU_STORIES = (
    _recent(
        "economy",
        "Economist Says Biggest Problem For Iranian Economy is State Controls",
        "Price controls and state banks do more harm than sanctions, he argues.",
        "A prominent Tehran economist argued in a lecture this week that price controls, "
        "import licences and state-owned banks do more damage to the economy than "
        "sanctions do.",
        ("Inflation",),
        ("kamali",),
        4.5,
    ),
    _recent(
        "economy",
        "US Stops Turkmen Gas Crossing Iran For Iraq",
        "A plan to pipe gas to Iraq stalls over payments.",
        "A plan to send Turkmen gas to Iraq through Iran's pipelines has stalled after "
        "Washington declined to allow the payments to flow through Iran, officials in "
        "Baghdad say.",
        ("Energy", "United States"),
        ("kamali",),
        5.3,
    ),
    _recent(
        "economy",
        "For Umpteenth Time, Auto Privatization Again Killed",
        "The state's carmakers stay in the state's hands.",
        "A plan to sell the state's remaining shares in the two big carmakers has been "
        "shelved yet again, the latest in a long line of privatisation schemes that never "
        "left the drawing board.",
        ("Budget",),
        ("kamali",),
        6.1,
    ),
    _recent(
        "economy",
        "China Oil Buy Drops, But Remains High",
        "Purchases fall from their peak but stay well above past levels.",
        "Chinese purchases of Iranian crude fell last month from their recent peak but "
        "remained well above the levels of two years ago, according to ship-tracking "
        "estimates.",
        ("Oil", "Exports"),
        ("kamali",),
        6.9,
    ),
    _recent(
        "economy",
        "Gov’t Ends Ban Importing Goods Made In Iran",
        "Iranian exporters regain a market they lost last year.",
        "A neighbouring government has lifted its ban on importing Iranian-made goods, "
        "reopening a market that Iranian exporters of food and building materials lost "
        "last year.",
        ("Exports",),
        ("kamali",),
        7.8,
    ),
    _recent(
        "economy",
        "Minimum Wage is Boosted 45%",
        "Unions say the rise still trails the cost of living.",
        "The Supreme Labor Council has raised the minimum monthly wage by 45 percent for "
        "the new year, an increase that unions say still trails the cost of living.",
        ("Wages", "Labor"),
        ("kamali",),
        8.6,
    ),
    _recent(
        "economy",
        "Banks Must Keep More Money On Hand",
        "The Central Bank raises reserve requirements to slow lending.",
        "The Central Bank has raised the share of deposits that commercial banks must "
        "hold in reserve, in an attempt to slow lending and cool inflation.",
        ("Central Bank", "Inflation"),
        ("kamali",),
        9.5,
    ),
    _recent(
        "economy",
        "Russian Says Iran Watermelons Unsafe",
        "Inspectors order extra checks on Iranian fruit.",
        "Russia's agricultural inspectors have ordered extra checks on Iranian watermelons "
        "after finding what they said were pesticide residues above permitted levels.",
        ("Exports", "Agriculture"),
        ("kamali",),
        10.4,
    ),
    _recent(
        "economy",
        "Iran Not To Be Self-Sufficient In Wheat This Year",
        "A dry winter means grain imports are back.",
        "A dry winter has cut the wheat harvest, and officials now expect to import grain "
        "again this year after two years of claiming self-sufficiency.",
        ("Agriculture",),
        ("kamali",),
        11.5,
    ),
)

ENGLISH = EditionTexts(
    language="en",
    home_title="Iran Times",
    home_label="Home",
    latest_title="Latest",
    authors_title="Authors",
    authors_intro="The reporters, editors and columnists who write Iran Times.",
    sections=SECTIONS,
    authors=AUTHORS,
    prose_pages=PROSE_PAGES,
    contact=CONTACT,
    kinds=KINDS,
    section_sentences=SECTION_SENTENCES,
    general_sentences=GENERAL_SENTENCES,
    headings=HEADINGS,
    quotes=QUOTES,
    slots=SLOTS,
    fixed_stories=(*REFERENCE_STORIES, *LATEST_STORIES, *NEWS_MENU_STORIES, *ECONOMY_MENU_STORIES),
    title_case=True,
)
