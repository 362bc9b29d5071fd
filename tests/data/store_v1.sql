-- A data directory's store as the hand-written sqlite3 store left it (two samples, a claim,
-- subscriptions, deliveries, an answer, sightings): the in-place upgrade is tested on it.
BEGIN TRANSACTION;
CREATE TABLE answers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_id INTEGER NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
INSERT INTO "answers" VALUES(1,4242,'{"question":"What was verified?","results":[{"passage":{"id":12,"article_id":"bf537a07a5965842","ordinal":11,"section":"Official Statements","status":"statement","start":2054,"end":2341,"text":"“The recount has done exactly what it was meant to do. Every ballot has been looked at again, in public, and the result stands.\n\n“I want to thank the hundreds of staff who worked long days to give the people of Brevik certainty, and I will be a mayor for those who voted against me too.”","speaker":{"name":"Sela Marhoff","role":"Mayor-elect of Brevik","place":"Brevik","when":"Oct. 21, 2025"}},"article":{"article_id":"bf537a07a5965842","title":"Recount confirms Sela Marhoff as Brevik mayor by 112 votes","source":null,"url":null,"published":"2025-10-21"},"score":0.7327335596084594,"relevance":0.5327335596084595,"also_reported_by":[],"also_in_sections":["Lead","Verified Facts","Bottom Line"],"claim":null},{"passage":{"id":15,"article_id":"bf537a07a5965842","ordinal":14,"section":"Unconfirmed","status":"unconfirmed","start":2708,"end":2871,"text":"People’s Party officials say they have affidavits from voters who were turned away at two polling stations; the commission says it has received no such complaints.","speaker":{"name":"Lidia Ferrow","role":"Commission chair","place":null,"when":null}},"article":{"article_id":"bf537a07a5965842","title":"Recount confirms Sela Marhoff as Brevik mayor by 112 votes","source":null,"url":null,"published":"2025-10-21"},"score":0.5368532228469849,"relevance":0.5068532228469849,"also_reported_by":[],"also_in_sections":[],"claim":{"claim_id":1,"standing":"open","stated_on":"2025-10-21","history":[{"id":1,"claim_id":1,"kind":"opened","link_id":null,"passage_id":15,"article_id":"bf537a07a5965842","title":"Recount confirms Sela Marhoff as Brevik mayor by 112 votes","source":null,"dated":"2025-10-21"}],"settled_by":[],"settling":[]}},{"passage":{"id":34,"article_id":"2696ab5ae3b7f70c","ordinal":16,"section":"Unconfirmed","status":"unconfirmed","start":3064,"end":3178,"text":"Reports that Bellcroft has already agreed to supply a neighbouring country have not been confirmed by the company.","speaker":{"name":"Bellcroft Biologics","role":"domestic drugmaker","place":null,"when":null}},"article":{"article_id":"2696ab5ae3b7f70c","title":"Norvania approves first locally made RSV vaccine for adults over 60","source":null,"url":null,"published":"2025-10-09"},"score":0.4989682722091675,"relevance":0.4689682722091675,"also_reported_by":[],"also_in_sections":[],"claim":{"claim_id":5,"standing":"open","stated_on":"2025-10-09","history":[{"id":5,"claim_id":5,"kind":"opened","link_id":null,"passage_id":34,"article_id":"2696ab5ae3b7f70c","title":"Norvania approves first locally made RSV vaccine for adults over 60","source":null,"dated":"2025-10-09"}],"settled_by":[],"settling":[]}},{"passage":{"id":25,"article_id":"2696ab5ae3b7f70c","ordinal":7,"section":"Verified Facts","status":"verified","start":1073,"end":1429,"text":"The decision was based on a trial involving 21,400 people aged 60 to 89 in Norvania and two neighbouring countries. Participants who received Respira-N had 78% fewer hospital admissions caused by RSV than those given a placebo during the 2024–25 winter. The most common side effects were a sore arm, tiredness and headache, usually lasting one or two days.","speaker":null},"article":{"article_id":"2696ab5ae3b7f70c","title":"Norvania approves first locally made RSV vaccine for adults over 60","source":null,"url":null,"published":"2025-10-09"},"score":0.47878989577293396,"relevance":0.47878989577293396,"also_reported_by":[],"also_in_sections":["Context & Impact"],"claim":null},{"passage":{"id":13,"article_id":"bf537a07a5965842","ordinal":12,"section":"Official Statements","status":"statement","start":2404,"end":2508,"text":"“We found mistakes, and we corrected them, but we found nothing that points to deliberate manipulation.”","speaker":{"name":"Lidia Ferrow","role":"Chair of the Brevik Election Commission","place":"Brevik","when":"Oct. 21, 2025"}},"article":{"article_id":"bf537a07a5965842","title":"Recount confirms Sela Marhoff as Brevik mayor by 112 votes","source":null,"url":null,"published":"2025-10-21"},"score":0.47073188304901126,"relevance":0.44073188304901123,"also_reported_by":[],"also_in_sections":["Verified Facts"],"claim":null},{"passage":{"id":8,"article_id":"bf537a07a5965842","ordinal":7,"section":"Verified Facts","status":"verified","start":1063,"end":1386,"text":"The commission said the recount found counting errors at 23 of the city’s 186 polling stations, most of them involving fewer than five votes. At one station in the Harbour district, 41 ballots for Kesk had been recorded in the wrong column of the tally sheet; correcting this accounted for most of the change in the margin.","speaker":{"name":"Lidia Ferrow","role":"Commission chair","place":null,"when":null}},"article":{"article_id":"bf537a07a5965842","title":"Recount confirms Sela Marhoff as Brevik mayor by 112 votes","source":null,"url":null,"published":"2025-10-21"},"score":0.41807523250579837,"relevance":0.38807523250579834,"also_reported_by":[],"also_in_sections":[],"claim":null},{"passage":{"id":5,"article_id":"bf537a07a5965842","ordinal":4,"section":"Key Takeaways","status":"context","start":604,"end":689,"text":"Kesk has three days to challenge the result before the regional administrative court.","speaker":null},"article":{"article_id":"bf537a07a5965842","title":"Recount confirms Sela Marhoff as Brevik mayor by 112 votes","source":null,"url":null,"published":"2025-10-21"},"score":0.3965258002281189,"relevance":0.3965258002281189,"also_reported_by":[],"also_in_sections":[],"claim":null},{"passage":{"id":35,"article_id":"2696ab5ae3b7f70c","ordinal":17,"section":"Bottom Line","status":"context","start":3194,"end":3486,"text":"Norvania now has its own weapon against a virus that has strained its hospitals, and the government is betting that a free, home-grown vaccine will persuade more older people to get protected. How quickly doses reach pharmacies will decide whether the campaign makes a difference this winter.","speaker":null},"article":{"article_id":"2696ab5ae3b7f70c","title":"Norvania approves first locally made RSV vaccine for adults over 60","source":null,"url":null,"published":"2025-10-09"},"score":0.37886011600494385,"relevance":0.37886011600494385,"also_reported_by":[],"also_in_sections":["Lead"],"claim":null},{"passage":{"id":16,"article_id":"bf537a07a5965842","ordinal":15,"section":"Unconfirmed","status":"unconfirmed","start":2876,"end":2988,"text":"Reports that Kesk has privately told supporters he will not go to court have not been confirmed by his campaign.","speaker":{"name":"Kesk","role":null,"place":null,"when":null}},"article":{"article_id":"bf537a07a5965842","title":"Recount confirms Sela Marhoff as Brevik mayor by 112 votes","source":null,"url":null,"published":"2025-10-21"},"score":0.37259438514709475,"relevance":0.3425943851470947,"also_reported_by":[],"also_in_sections":[],"claim":{"claim_id":2,"standing":"open","stated_on":"2025-10-21","history":[{"id":2,"claim_id":2,"kind":"opened","link_id":null,"passage_id":16,"article_id":"bf537a07a5965842","title":"Recount confirms Sela Marhoff as Brevik mayor by 112 votes","source":null,"dated":"2025-10-21"}],"settled_by":[],"settling":[]}},{"passage":{"id":6,"article_id":"bf537a07a5965842","ordinal":5,"section":"Key Takeaways","status":"context","start":694,"end":734,"text":"Marhoff is due to be sworn in on Nov. 1.","speaker":null},"article":{"article_id":"bf537a07a5965842","title":"Recount confirms Sela Marhoff as Brevik mayor by 112 votes","source":null,"url":null,"published":"2025-10-21"},"score":0.3651483654975891,"relevance":0.3651483654975891,"also_reported_by":[],"also_in_sections":[],"claim":null}]}','2026-12-01T14:24:22+00:00');
CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            source TEXT,
            url TEXT,
            published TEXT,
            format TEXT NOT NULL,
            text TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
INSERT INTO "articles" VALUES('bf537a07a5965842','Recount confirms Sela Marhoff as Brevik mayor by 112 votes',NULL,NULL,'2025-10-21','briefing','Recount confirms Sela Marhoff as Brevik mayor by 112 votes

Lead: On Oct. 21, 2025 in Brevik, the city’s election commission announced that a full manual recount had confirmed Sela Marhoff of the Civic Alliance as the winner of the Sept. 28 mayoral runoff, by 112 votes out of more than 214,000 cast.

Key Takeaways

  • The recount gave Marhoff 107,206 votes and her rival, incumbent mayor Dorian Kesk, 107,094.
  • The first count had put Marhoff 131 votes ahead; her margin narrowed by 19 votes in the recount.
  • 1,480 ballots were rejected as invalid, most because the voter marked both names.
  • Kesk has three days to challenge the result before the regional administrative court.
  • Marhoff is due to be sworn in on Nov. 1.

Verified Facts

The recount was ordered on Oct. 2 after Kesk’s People’s Party filed a request citing the narrow margin and complaints from observers at four polling stations. Around 600 counting staff, watched by observers from both campaigns, reviewed every paper ballot by hand over eleven days at the city exhibition hall.

The commission said the recount found counting errors at 23 of the city’s 186 polling stations, most of them involving fewer than five votes. At one station in the Harbour district, 41 ballots for Kesk had been recorded in the wrong column of the tally sheet; correcting this accounted for most of the change in the margin.

Commission chair Lidia Ferrow said no evidence of fraud had been found, and that the errors had been caused by tiredness and unclear tally forms.

Context & Impact

The runoff was the closest mayoral race in Brevik’s history and followed a bitter campaign focused on housing costs and a delayed metro extension. Marhoff, a 41-year-old former housing official, will be the first mayor from outside the People’s Party in 24 years.

The recount has renewed calls to redesign tally sheets and to limit the length of counting shifts. Both parties have said they support a review of the city’s counting procedures before the 2027 regional elections.

Official Statements

“The recount has done exactly what it was meant to do. Every ballot has been looked at again, in public, and the result stands.

“I want to thank the hundreds of staff who worked long days to give the people of Brevik certainty, and I will be a mayor for those who voted against me too.”

Sela Marhoff, Mayor-elect of Brevik (Brevik, Oct. 21, 2025)

“We found mistakes, and we corrected them, but we found nothing that points to deliberate manipulation.”

Lidia Ferrow, Chair of the Brevik Election Commission (Brevik, Oct. 21, 2025)

“We will study the commission’s report carefully before deciding on any further steps.”

Dorian Kesk

Unconfirmed

  • People’s Party officials say they have affidavits from voters who were turned away at two polling stations; the commission says it has received no such complaints.
  • Reports that Kesk has privately told supporters he will not go to court have not been confirmed by his campaign.

Bottom Line

A second, slower count has left Brevik with the same winner and a clearer picture of how fragile manual tallying can be. Unless Kesk goes to court in the next three days, Marhoff will take office on Nov. 1 with a margin of barely one vote in two thousand.

Sources

Brevik Election Commission, recount results, Oct. 21, 2025
','2026-12-01T14:24:22.241898+00:00');
INSERT INTO "articles" VALUES('2696ab5ae3b7f70c','Norvania approves first locally made RSV vaccine for adults over 60',NULL,NULL,'2025-10-09','briefing','Norvania approves first locally made RSV vaccine for adults over 60

— On Oct. 9, 2025 in Halvik, Norvania’s Medicines Agency approved Respira-N, a vaccine against respiratory syncytial virus developed by the domestic drugmaker Bellcroft Biologics, for use in adults aged 60 and over, clearing the way for a national vaccination campaign this winter.

Key takeaways:

* Respira-N is the first RSV vaccine developed and produced in Norvania.
* Approval covers adults aged 60 and over; a decision on pregnant women is expected in 2026.
* In the main trial, the vaccine cut RSV-related hospital admissions by 78% over one season.
* The health ministry has ordered 1.2 million doses, enough for about 40% of people in the age group.
* Vaccination at pharmacies and clinics is due to start on Nov. 3.

Confirmed:

The Norvanian Medicines Agency announced the approval at a news conference in Halvik on the afternoon of Oct. 9, following a unanimous recommendation from its expert committee on vaccines. The approval is for a single dose given as an injection in the upper arm.

The decision was based on a trial involving 21,400 people aged 60 to 89 in Norvania and two neighbouring countries. Participants who received Respira-N had 78% fewer hospital admissions caused by RSV than those given a placebo during the 2024–25 winter. The most common side effects were a sore arm, tiredness and headache, usually lasting one or two days.

Health Minister Pieter Aldane said the government had signed a contract with Bellcroft for 1.2 million doses at a total cost of 96 million kroner, and that the vaccine would be free for everyone in the approved age group.

Context & impact:

RSV is best known as a cause of serious illness in babies, but doctors say it also sends thousands of older adults to hospital each winter, often with pneumonia. Norvanian hospitals were overwhelmed in January 2025 when RSV, influenza and COVID-19 peaked at the same time.

Imported RSV vaccines have been available privately in Norvania since 2024, but at prices that limited their use. A domestic product gives the government more control over supply and cost, and Bellcroft has said it plans to seek approval in other markets next year.

Official statements:

“This vaccine will keep many older people out of hospital this winter, and it will do so free of charge.”

Pieter Aldane, Health Minister (Halvik, Oct. 9, 2025)

“The committee looked closely at the safety data and found no signal that worried us. The benefit for people over 60 is clear.”

Dr. Ingrid Sollis, Chair of the Medicines Agency vaccine committee (Halvik, Oct. 9, 2025)

“We can deliver the first 400,000 doses by the end of October and the rest before Christmas.”

Jonas Mereth, Chief Executive of Bellcroft Biologics (Lunde, Oct. 10, 2025)

What we don’t know:

* Some pharmacists’ groups say the Nov. 3 start date is too tight for distribution; the ministry insists it is achievable.
* It is unclear how long protection lasts and whether a booster will be needed; trial follow-up continues into a second season.
* Reports that Bellcroft has already agreed to supply a neighbouring country have not been confirmed by the company.

Bottom line:

Norvania now has its own weapon against a virus that has strained its hospitals, and the government is betting that a free, home-grown vaccine will persuade more older people to get protected. How quickly doses reach pharmacies will decide whether the campaign makes a difference this winter.

Sources:

Norvanian Medicines Agency, approval notice, Oct. 9, 2025
','2026-12-01T14:24:22.558703+00:00');
CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('add', 'remove')),
            at TEXT NOT NULL
        );
INSERT INTO "changes" VALUES(1,'bf537a07a5965842','add','2026-12-01T14:24:22.242238+00:00');
INSERT INTO "changes" VALUES(2,'2696ab5ae3b7f70c','add','2026-12-01T14:24:22.558983+00:00');
CREATE TABLE claim_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            claim_id INTEGER NOT NULL REFERENCES claims (id),
            kind TEXT NOT NULL CHECK (kind IN ('opened', 'restated', 'confirmed', 'denied',
                'suggested', 'rejected', 'unlinked', 'withdrawn')),
            link_id INTEGER,
            passage_id INTEGER,
            article_id TEXT,
            title TEXT,
            source TEXT,
            dated TEXT,
            at TEXT NOT NULL
        );
INSERT INTO "claim_events" VALUES(1,1,'opened',NULL,15,'bf537a07a5965842','Recount confirms Sela Marhoff as Brevik mayor by 112 votes',NULL,'2025-10-21','2026-12-01T14:24:22+00:00');
INSERT INTO "claim_events" VALUES(2,2,'opened',NULL,16,'bf537a07a5965842','Recount confirms Sela Marhoff as Brevik mayor by 112 votes',NULL,'2025-10-21','2026-12-01T14:24:22+00:00');
INSERT INTO "claim_events" VALUES(3,3,'opened',NULL,32,'2696ab5ae3b7f70c','Norvania approves first locally made RSV vaccine for adults over 60',NULL,'2025-10-09','2026-12-01T14:24:22+00:00');
INSERT INTO "claim_events" VALUES(4,4,'opened',NULL,33,'2696ab5ae3b7f70c','Norvania approves first locally made RSV vaccine for adults over 60',NULL,'2025-10-09','2026-12-01T14:24:22+00:00');
INSERT INTO "claim_events" VALUES(5,5,'opened',NULL,34,'2696ab5ae3b7f70c','Norvania approves first locally made RSV vaccine for adults over 60',NULL,'2025-10-09','2026-12-01T14:24:22+00:00');
CREATE TABLE claim_links (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            claim_id INTEGER NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
            passage_id INTEGER NOT NULL REFERENCES passages (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('restates', 'confirms', 'denies')),
            state TEXT NOT NULL
                CHECK (state IN ('automatic', 'suggested', 'accepted', 'rejected')),
            score REAL NOT NULL,
            article_id TEXT NOT NULL,
            title TEXT NOT NULL,
            source TEXT,
            dated TEXT,
            created_at TEXT NOT NULL,
            decided_by INTEGER,
            decided_at TEXT,
            UNIQUE (claim_id, passage_id)
        );
CREATE TABLE claims (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            -- NULL once the claim's own article is removed: the claim, its history and the
            -- links of other articles to it stay.
            passage_id INTEGER UNIQUE REFERENCES passages (id) ON DELETE SET NULL,
            article_id TEXT NOT NULL,
            start INTEGER NOT NULL,
            end_ INTEGER NOT NULL,
            text TEXT NOT NULL,
            title TEXT NOT NULL,
            source TEXT,
            stated_on TEXT,
            created_at TEXT NOT NULL
        );
INSERT INTO "claims" VALUES(1,15,'bf537a07a5965842',2708,2871,'People’s Party officials say they have affidavits from voters who were turned away at two polling stations; the commission says it has received no such complaints.','Recount confirms Sela Marhoff as Brevik mayor by 112 votes',NULL,'2025-10-21','2026-12-01T14:24:22+00:00');
INSERT INTO "claims" VALUES(2,16,'bf537a07a5965842',2876,2988,'Reports that Kesk has privately told supporters he will not go to court have not been confirmed by his campaign.','Recount confirms Sela Marhoff as Brevik mayor by 112 votes',NULL,'2025-10-21','2026-12-01T14:24:22+00:00');
INSERT INTO "claims" VALUES(3,32,'2696ab5ae3b7f70c',2813,2933,'Some pharmacists’ groups say the Nov. 3 start date is too tight for distribution; the ministry insists it is achievable.','Norvania approves first locally made RSV vaccine for adults over 60',NULL,'2025-10-09','2026-12-01T14:24:22+00:00');
INSERT INTO "claims" VALUES(4,33,'2696ab5ae3b7f70c',2936,3061,'It is unclear how long protection lasts and whether a booster will be needed; trial follow-up continues into a second season.','Norvania approves first locally made RSV vaccine for adults over 60',NULL,'2025-10-09','2026-12-01T14:24:22+00:00');
INSERT INTO "claims" VALUES(5,34,'2696ab5ae3b7f70c',3064,3178,'Reports that Bellcroft has already agreed to supply a neighbouring country have not been confirmed by the company.','Norvania approves first locally made RSV vaccine for adults over 60',NULL,'2025-10-09','2026-12-01T14:24:22+00:00');
CREATE TABLE "deliveries" (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL DEFAULT 'article' CHECK (kind IN ('article', 'claim')),
            subscription_id INTEGER REFERENCES subscriptions (id) ON DELETE CASCADE,
            article_id TEXT,
            chat_id INTEGER,
            claim_event_id INTEGER,
            reply_to INTEGER,
            passage_ids TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            queued_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (subscription_id, article_id),
            UNIQUE (chat_id, claim_event_id),
            CHECK ((kind = 'article' AND subscription_id IS NOT NULL AND article_id IS NOT NULL
                    AND chat_id IS NULL)
                OR (kind = 'claim' AND chat_id IS NOT NULL AND claim_event_id IS NOT NULL
                    AND subscription_id IS NULL))
        );
INSERT INTO "deliveries" VALUES(1,'article',1,'bf537a07a5965842',NULL,NULL,NULL,'[1, 2]','sent',0,'2026-12-01T14:24:22+00:00','2026-12-01T14:24:22+00:00');
INSERT INTO "deliveries" VALUES(2,'article',2,'2696ab5ae3b7f70c',NULL,NULL,NULL,'[3]','pending',0,'2026-12-01T14:24:22+00:00',NULL);
CREATE TABLE followup_cursor (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL
        );
INSERT INTO "followup_cursor" VALUES(1,0);
CREATE TABLE followup_optouts (
            chat_id INTEGER PRIMARY KEY,
            since TEXT NOT NULL
        );
INSERT INTO "followup_optouts" VALUES(-1001234567890,'2026-12-01T14:24:22+00:00');
CREATE TABLE match_cursor (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL
        );
INSERT INTO "match_cursor" VALUES(1,2);
CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
INSERT INTO "meta" VALUES('embedding_model','hashing-16');
INSERT INTO "meta" VALUES('store_id','f3ef8b2def13407fa92e30955de68c85');
CREATE TABLE passage_vectors (
            passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
            vector BLOB NOT NULL
        );
INSERT INTO "passage_vectors" VALUES(1,X'C280803D0000000053E1E03E22C1403EC280803DC280803EC280803DC280003EC280803E22C1403E22C1403E22C1403E22C1403E22C1C03E53E1E03E22C1C03E');
INSERT INTO "passage_vectors" VALUES(2,X'4A515A3E00000000CE72083F000000004A515A3E4A515A3E000000004A51DA3D4A51DA3D000000004A515A3E4A515A3E000000004A51DA3E00000000CE72083F');
INSERT INTO "passage_vectors" VALUES(3,X'EB05D13D00000000B3A3023F00000000EB05D13DEB05513EEB05D13DEB05513EEB05D13D0000000000000000EB05513E70C49C3E70C49C3EEB05D13D70C41C3F');
INSERT INTO "passage_vectors" VALUES(4,X'48590B3E0000000048598B3E48590B3E48598B3EEB05D13E00000000EB05D13EEB05D13E000000000000000048598B3E48598B3E48598B3E48590B3E48598B3E');
INSERT INTO "passage_vectors" VALUES(5,X'3FA80C3E000000005FFCD23E000000003FA80C3E5FFCD23E000000003FA88C3E3FA88C3E3FA88C3E000000003FA88C3E5FFCD23E3FA88C3E000000003FA88C3E');
INSERT INTO "passage_vectors" VALUES(6,X'000000009BE8213E9BE8213E000000009BE8213EE8DCF23E9BE8213E9BE8213E9BE8A13E00000000000000009BE8A13E9BE8A13E9BE8A13E9BE8213EE8DCF23E');
INSERT INTO "passage_vectors" VALUES(7,X'C5B26B3DC5B26B3D14C6B03E14C6303E14C6303EBB4F933EC5B26B3D14C6B03E14C6B03EC5B26B3EC5B2EB3D14C6303E6C3CCE3EBB4F933E14C6303E14C6B03E');
INSERT INTO "passage_vectors" VALUES(8,X'D08BB73DDCA8093E9921153F00000000D08BB73DD08B373ED08B373D4A7DCE3EC46E653ED08BB73DDCA8093EDCA8093EDCA8893EC46E653E4A7DCE3EC46E653E');
INSERT INTO "passage_vectors" VALUES(9,X'0000000087B5AD3D87B52D3E000000002548823E87B52D3E87B52D3E87B5AD3E87B5AD3E2548823E000000002548023F87B52D3E87B5AD3E87B5AD3E87B52D3E');
INSERT INTO "passage_vectors" VALUES(10,X'000000008EC22E3E8EC22E3F8EC22E3E6803E93D6803693E8EC22E3E6803693D8EC22E3E6803E93D21A2913E21A2913E6803693E8EC22E3E6803E93D21A2913E');
INSERT INTO "passage_vectors" VALUES(11,X'8978623E8978623E8978E23E000000008978E23E06FB163E000000008978623E06FB963E06FB163E06FB963DC8B9BC3E06FB963D8978623E8978623E06FB963E');
INSERT INTO "passage_vectors" VALUES(12,X'5AEB463D5AEBC63D5AEBC63E8330153E5AEB463E5AEB463E5AEB463D5AEB463E5AEB463E8330953E8330153E5AEB463E8330153EC5C8DF3EC5C8DF3EEF0DAE3E');
INSERT INTO "passage_vectors" VALUES(13,X'16E1CE3DD0289B3E16E14E3E0000000016E14E3E16E14E3E0000000016E1CE3ED0289B3E16E1CE3D16E14E3ED0289B3E16E1CE3D16E1CE3E16E1CE3E16E14E3E');
INSERT INTO "passage_vectors" VALUES(14,X'EC29E23D00000000719FA93EEC29E23D00000000EC29623E00000000EC29E23EEC29623EEC29623E00000000EC29E23DEC29E23D719F293FEC29E23DEC29623E');
INSERT INTO "passage_vectors" VALUES(15,X'BD72A33D1B2C753EBD72A33EBD72A33DBD72A33DBD72A33EBD72A33DBD72233E1B2C753E65040F3F000000001B2C753EBD72A33EBD72A33E000000001B2C753E');
INSERT INTO "passage_vectors" VALUES(16,X'8B0D733E8B0D733E8B0D733E284AB63E8B0D733E8B0D733E000000008B0D733E284AB63E8B0D733E8B0DF33D8B0DF33D8B0D733E284AB63E8B0DF33D284AB63E');
INSERT INTO "passage_vectors" VALUES(17,X'F6917C3D796D3D3EB8FFDC3EF691FC3DF691FC3DF6917C3E796D3D3EF691FC3DF6917C3EF691FC3DF6917C3E796DBD3E3ADB9D3E3ADB9D3E796DBD3E796D3D3E');
INSERT INTO "passage_vectors" VALUES(18,X'DB00BC3ECEAB7A3D5456DB3E61AB9C3ECEAB7A3DDB003C3ECEAB7A3ECEABFA3DCEABFA3DCEABFA3DA4000D3FCEABFA3DCEAB7A3ECEABFA3DCEABFA3DDB003C3E');
INSERT INTO "passage_vectors" VALUES(19,X'D2A1873E00000000D2A1073FD2A1873E00000000D2A1073EBC72CB3ED2A1873E00000000D2A1073ED2A1873ED2A1873EBC72CB3ED2A1073E0000000000000000');
INSERT INTO "passage_vectors" VALUES(20,X'45B36F3E0000000045B36F3E0BD0153F0000000045B3EF3D45B3EF3D45B3EF3D45B3EF3D0000000074C6B33E74C6B33E45B3EF3D74C6B33E45B36F3E45B36F3E');
INSERT INTO "passage_vectors" VALUES(21,X'0A03813E0A03013E0A03013F8F84C13E000000000A03813E0A03813E8F84C13E0A03013E0A03013E0A03813E0A03013E0A03013E0A03813E0A03813E00000000');
INSERT INTO "passage_vectors" VALUES(22,X'EC29623E00000000335A0D3FEC29623EEC29E23DEC29623E719FA93EEC29623E00000000EC29E23DEC29E23EEC29E23DEC29623EEC29623EEC29E23DEC29623E');
INSERT INTO "passage_vectors" VALUES(23,X'3FA80C3E000000003FA88C3E5FFCD23E3FA80C3E3FA80C3E3FA88C3E5FFCD23E3FA80C3E3FA80C3E5FFCD23E5FFCD23E000000003FA88C3E0000000000000000');
INSERT INTO "passage_vectors" VALUES(24,X'1F0BAF3E000000009ADE113F1F0B2F3E1F0B2F3E2A64E93D1F0B2F3E1F0B2F3E2A64E93D2A64693D2A64E93E1F0B2F3E1F0B2F3E2A64E93D2A64693E9ADE913E');
INSERT INTO "passage_vectors" VALUES(25,X'2ED8513E22621D3E3313EC3E1D27833E1D27833E22621D3E22621D3E1D27833E1D27833E22621D3E289DB73E289DB73E2ED8513E2ED8513E22621D3E22621D3E');
INSERT INTO "passage_vectors" VALUES(26,X'C444813DC444013E5738E23EC444013EC444813E26E7413E5738E23E26E7413E0000000026E7413E26E7C13EC444813EF595A13EC444013EC444013EC444813E');
INSERT INTO "passage_vectors" VALUES(27,X'0A189A3EA5E9383EA5E9B83EA5E9383EDC8C763DA5E9383EA5E9383E0A189A3EDC8C763DDC8C763DDC8C763EDC8CF63E0A189A3EA5E9B83EA5E9383EDC8C763D');
INSERT INTO "passage_vectors" VALUES(28,X'2DA4973E36F8353E48A0723E2DA4973E36F8353E48A0F23D36F8353E48A0723E48A0723D48A0F23E36F8B53E3F4CD43E48A0F23D48A0723D48A0723E48A0723D');
INSERT INTO "passage_vectors" VALUES(29,X'61F1CF3E61F1CF3D09F59B3E61F1CF3E0000000061F14F3E61F1CF3E61F1CF3D61F14F3E61F1CF3D61F14F3E61F14F3E61F14F3E61F14F3E09F59B3E61F14F3E');
INSERT INTO "passage_vectors" VALUES(30,X'96281C3E00000000E13CEA3EE13CEA3E96281C3E96289C3DBC32C33E96281C3E96289C3DE13C6A3E96289C3EE13C6A3E00000000E13C6A3EE13C6A3EE13C6A3E');
INSERT INTO "passage_vectors" VALUES(31,X'EF37A73D00000000F150123FEF37A73EEF37A73D00000000EF37A73DE7D37A3E00000000EF37A73DE7D3FA3EE7D37A3EEF37A73DEF37A73EE7D37A3EEF37A73D');
INSERT INTO "passage_vectors" VALUES(32,X'A17D943E00000000A17D143FA17D943E00000000D6FCC53EA17D943ED6FCC53D00000000D6FC453EA17D943ED6FC453E00000000D6FCC53D00000000A17D943E');
INSERT INTO "passage_vectors" VALUES(33,X'D6FCC53DD6FCC53DA17D143FD6FCC53ED6FCC53DD6FC453ED6FC453ED6FC453ED6FCC53D00000000D6FCC53EA17D943E00000000A17D943ED6FC453ED6FCC53D');
INSERT INTO "passage_vectors" VALUES(34,X'61F1CF3D61F1CF3DDDF6013F09F59B3E61F1CF3D61F14F3E61F1CF3D61F14F3E61F14F3E61F1CF3E61F1CF3E09F59B3E61F1CF3D61F1CF3D61F14F3E00000000');
INSERT INTO "passage_vectors" VALUES(35,X'9A42373ECD58743ECD58F43ECD58743E9A42373ECD58F43DCD58743ECD58743D9A42B73EB4CDD53E9A42B73ECD58F43DCD58F43D9A42373ECD58F43DCD58F43D');
CREATE TABLE passages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            section TEXT NOT NULL,
            status TEXT NOT NULL,
            start INTEGER NOT NULL,
            end_ INTEGER NOT NULL,
            text TEXT NOT NULL,
            speaker_name TEXT,
            speaker_role TEXT,
            speaker_place TEXT,
            speaker_when TEXT,
            UNIQUE (article_id, ordinal)
        );
INSERT INTO "passages" VALUES(1,'bf537a07a5965842',0,'Lead','context',66,300,'On Oct. 21, 2025 in Brevik, the city’s election commission announced that a full manual recount had confirmed Sela Marhoff of the Civic Alliance as the winner of the Sept. 28 mayoral runoff, by 112 votes out of more than 214,000 cast.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(2,'bf537a07a5965842',1,'Key Takeaways','context',321,412,'The recount gave Marhoff 107,206 votes and her rival, incumbent mayor Dorian Kesk, 107,094.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(3,'bf537a07a5965842',2,'Key Takeaways','context',417,513,'The first count had put Marhoff 131 votes ahead; her margin narrowed by 19 votes in the recount.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(4,'bf537a07a5965842',3,'Key Takeaways','context',518,599,'1,480 ballots were rejected as invalid, most because the voter marked both names.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(5,'bf537a07a5965842',4,'Key Takeaways','context',604,689,'Kesk has three days to challenge the result before the regional administrative court.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(6,'bf537a07a5965842',5,'Key Takeaways','context',694,734,'Marhoff is due to be sworn in on Nov. 1.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(7,'bf537a07a5965842',6,'Verified Facts','verified',752,1061,'The recount was ordered on Oct. 2 after Kesk’s People’s Party filed a request citing the narrow margin and complaints from observers at four polling stations. Around 600 counting staff, watched by observers from both campaigns, reviewed every paper ballot by hand over eleven days at the city exhibition hall.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(8,'bf537a07a5965842',7,'Verified Facts','verified',1063,1386,'The commission said the recount found counting errors at 23 of the city’s 186 polling stations, most of them involving fewer than five votes. At one station in the Harbour district, 41 ballots for Kesk had been recorded in the wrong column of the tally sheet; correcting this accounted for most of the change in the margin.','Lidia Ferrow','Commission chair',NULL,NULL);
INSERT INTO "passages" VALUES(9,'bf537a07a5965842',8,'Verified Facts','verified',1388,1533,'Commission chair Lidia Ferrow said no evidence of fraud had been found, and that the errors had been caused by tiredness and unclear tally forms.','Lidia Ferrow','Commission chair',NULL,NULL);
INSERT INTO "passages" VALUES(10,'bf537a07a5965842',9,'Context & Impact','context',1553,1816,'The runoff was the closest mayoral race in Brevik’s history and followed a bitter campaign focused on housing costs and a delayed metro extension. Marhoff, a 41-year-old former housing official, will be the first mayor from outside the People’s Party in 24 years.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(11,'bf537a07a5965842',10,'Context & Impact','context',1818,2031,'The recount has renewed calls to redesign tally sheets and to limit the length of counting shifts. Both parties have said they support a review of the city’s counting procedures before the 2027 regional elections.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(12,'bf537a07a5965842',11,'Official Statements','statement',2054,2341,'“The recount has done exactly what it was meant to do. Every ballot has been looked at again, in public, and the result stands.

“I want to thank the hundreds of staff who worked long days to give the people of Brevik certainty, and I will be a mayor for those who voted against me too.”','Sela Marhoff','Mayor-elect of Brevik','Brevik','Oct. 21, 2025');
INSERT INTO "passages" VALUES(13,'bf537a07a5965842',12,'Official Statements','statement',2404,2508,'“We found mistakes, and we corrected them, but we found nothing that points to deliberate manipulation.”','Lidia Ferrow','Chair of the Brevik Election Commission','Brevik','Oct. 21, 2025');
INSERT INTO "passages" VALUES(14,'bf537a07a5965842',13,'Official Statements','statement',2589,2676,'“We will study the commission’s report carefully before deciding on any further steps.”','Dorian Kesk',NULL,NULL,NULL);
INSERT INTO "passages" VALUES(15,'bf537a07a5965842',14,'Unconfirmed','unconfirmed',2708,2871,'People’s Party officials say they have affidavits from voters who were turned away at two polling stations; the commission says it has received no such complaints.','Lidia Ferrow','Commission chair',NULL,NULL);
INSERT INTO "passages" VALUES(16,'bf537a07a5965842',15,'Unconfirmed','unconfirmed',2876,2988,'Reports that Kesk has privately told supporters he will not go to court have not been confirmed by his campaign.','Kesk',NULL,NULL,NULL);
INSERT INTO "passages" VALUES(17,'bf537a07a5965842',16,'Bottom Line','context',3003,3258,'A second, slower count has left Brevik with the same winner and a clearer picture of how fragile manual tallying can be. Unless Kesk goes to court in the next three days, Marhoff will take office on Nov. 1 with a margin of barely one vote in two thousand.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(18,'2696ab5ae3b7f70c',0,'Lead','context',71,350,'On Oct. 9, 2025 in Halvik, Norvania’s Medicines Agency approved Respira-N, a vaccine against respiratory syncytial virus developed by the domestic drugmaker Bellcroft Biologics, for use in adults aged 60 and over, clearing the way for a national vaccination campaign this winter.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(19,'2696ab5ae3b7f70c',1,'Key Takeaways','context',370,440,'Respira-N is the first RSV vaccine developed and produced in Norvania.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(20,'2696ab5ae3b7f70c',2,'Key Takeaways','context',443,533,'Approval covers adults aged 60 and over; a decision on pregnant women is expected in 2026.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(21,'2696ab5ae3b7f70c',3,'Key Takeaways','context',536,626,'In the main trial, the vaccine cut RSV-related hospital admissions by 78% over one season.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(22,'2696ab5ae3b7f70c',4,'Key Takeaways','context',629,728,'The health ministry has ordered 1.2 million doses, enough for about 40% of people in the age group.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(23,'2696ab5ae3b7f70c',5,'Key Takeaways','context',731,795,'Vaccination at pharmacies and clinics is due to start on Nov. 3.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(24,'2696ab5ae3b7f70c',6,'Verified Facts','verified',809,1071,'The Norvanian Medicines Agency announced the approval at a news conference in Halvik on the afternoon of Oct. 9, following a unanimous recommendation from its expert committee on vaccines. The approval is for a single dose given as an injection in the upper arm.','Norvanian Medicines Agency',NULL,NULL,NULL);
INSERT INTO "passages" VALUES(25,'2696ab5ae3b7f70c',7,'Verified Facts','verified',1073,1429,'The decision was based on a trial involving 21,400 people aged 60 to 89 in Norvania and two neighbouring countries. Participants who received Respira-N had 78% fewer hospital admissions caused by RSV than those given a placebo during the 2024–25 winter. The most common side effects were a sore arm, tiredness and headache, usually lasting one or two days.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(26,'2696ab5ae3b7f70c',8,'Verified Facts','verified',1431,1652,'Health Minister Pieter Aldane said the government had signed a contract with Bellcroft for 1.2 million doses at a total cost of 96 million kroner, and that the vaccine would be free for everyone in the approved age group.','Pieter Aldane','Health Minister',NULL,NULL);
INSERT INTO "passages" VALUES(27,'2696ab5ae3b7f70c',9,'Context & Impact','context',1673,1945,'RSV is best known as a cause of serious illness in babies, but doctors say it also sends thousands of older adults to hospital each winter, often with pneumonia. Norvanian hospitals were overwhelmed in January 2025 when RSV, influenza and COVID-19 peaked at the same time.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(28,'2696ab5ae3b7f70c',10,'Context & Impact','context',1947,2212,'Imported RSV vaccines have been available privately in Norvania since 2024, but at prices that limited their use. A domestic product gives the government more control over supply and cost, and Bellcroft has said it plans to seek approval in other markets next year.','Bellcroft Biologics','domestic drugmaker',NULL,NULL);
INSERT INTO "passages" VALUES(29,'2696ab5ae3b7f70c',11,'Official Statements','statement',2236,2341,'“This vaccine will keep many older people out of hospital this winter, and it will do so free of charge.”','Pieter Aldane','Health Minister','Halvik','Oct. 9, 2025');
INSERT INTO "passages" VALUES(30,'2696ab5ae3b7f70c',12,'Official Statements','statement',2398,2525,'“The committee looked closely at the safety data and found no signal that worried us. The benefit for people over 60 is clear.”','Dr. Ingrid Sollis','Chair of the Medicines Agency vaccine committee','Halvik','Oct. 9, 2025');
INSERT INTO "passages" VALUES(31,'2696ab5ae3b7f70c',13,'Official Statements','statement',2618,2711,'“We can deliver the first 400,000 doses by the end of October and the rest before Christmas.”','Jonas Mereth','Chief Executive of Bellcroft Biologics','Lunde','Oct. 10, 2025');
INSERT INTO "passages" VALUES(32,'2696ab5ae3b7f70c',14,'Unconfirmed','unconfirmed',2813,2933,'Some pharmacists’ groups say the Nov. 3 start date is too tight for distribution; the ministry insists it is achievable.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(33,'2696ab5ae3b7f70c',15,'Unconfirmed','unconfirmed',2936,3061,'It is unclear how long protection lasts and whether a booster will be needed; trial follow-up continues into a second season.',NULL,NULL,NULL,NULL);
INSERT INTO "passages" VALUES(34,'2696ab5ae3b7f70c',16,'Unconfirmed','unconfirmed',3064,3178,'Reports that Bellcroft has already agreed to supply a neighbouring country have not been confirmed by the company.','Bellcroft Biologics','domestic drugmaker',NULL,NULL);
INSERT INTO "passages" VALUES(35,'2696ab5ae3b7f70c',17,'Bottom Line','context',3194,3486,'Norvania now has its own weapon against a virus that has strained its hospitals, and the government is betting that a free, home-grown vaccine will persuade more older people to get protected. How quickly doses reach pharmacies will decide whether the campaign makes a difference this winter.',NULL,NULL,NULL,NULL);
CREATE TABLE paused_chats (
            chat_id INTEGER PRIMARY KEY,
            reason TEXT NOT NULL,
            paused_at TEXT NOT NULL
        );
CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL);
INSERT INTO "schema_migrations" VALUES('corpus.0001_articles_passages_vectors','2026-12-01T14:24:18.788923+00:00');
INSERT INTO "schema_migrations" VALUES('corpus.0002_change_log','2026-12-01T14:24:18.789300+00:00');
INSERT INTO "schema_migrations" VALUES('corpus.0003_claims','2026-12-01T14:24:18.790206+00:00');
INSERT INTO "schema_migrations" VALUES('bot.0001_subscriptions','2026-12-01T14:24:22.680448+00:00');
INSERT INTO "schema_migrations" VALUES('bot.0003_match_cursor','2026-12-01T14:24:22.680783+00:00');
INSERT INTO "schema_migrations" VALUES('bot.0004_claim_deliveries','2026-12-01T14:24:22.681960+00:00');
INSERT INTO "schema_migrations" VALUES('bot.0002_answers','2026-12-01T14:24:22.682840+00:00');
INSERT INTO "schema_migrations" VALUES('bot.0004_sightings','2026-12-01T14:24:22.687599+00:00');
CREATE TABLE sightings (
            chat_id INTEGER NOT NULL,
            passage_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, passage_id, message_id)
        );
INSERT INTO "sightings" VALUES(4242,1,77,'2026-12-01T14:24:22+00:00');
INSERT INTO "sightings" VALUES(4242,2,77,'2026-12-01T14:24:22+00:00');
CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_id INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('topic', 'speaker')),
            query TEXT NOT NULL,
            schedule TEXT NOT NULL CHECK (schedule IN ('instant', 'daily')),
            vector BLOB,
            model TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (chat_id, kind, query)
        );
INSERT INTO "subscriptions" VALUES(1,-1001234567890,'topic','harbour budget','instant',NULL,NULL,'2026-12-01T14:24:22+00:00');
INSERT INTO "subscriptions" VALUES(2,4242,'speaker','Ada Quill','daily',NULL,NULL,'2026-12-01T14:24:22+00:00');
CREATE INDEX articles_newest ON articles (published, added_at);
CREATE INDEX claim_links_passage ON claim_links (passage_id);
CREATE INDEX claim_links_state ON claim_links (state, id);
CREATE INDEX claim_events_claim ON claim_events (claim_id, id);
CREATE TRIGGER claim_link_gone AFTER DELETE ON claim_links
        WHEN old.state IN ('automatic', 'accepted')
        BEGIN
            INSERT INTO claim_events
                (claim_id, kind, link_id, passage_id, article_id, title, source, dated, at)
            VALUES (old.claim_id, 'unlinked', old.id, old.passage_id, old.article_id,
                old.title, old.source, old.dated, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
        END;
CREATE TRIGGER claim_origin_gone AFTER UPDATE OF passage_id ON claims
        WHEN old.passage_id IS NOT NULL AND new.passage_id IS NULL
        BEGIN
            INSERT INTO claim_events
                (claim_id, kind, passage_id, article_id, title, source, dated, at)
            VALUES (old.id, 'withdrawn', old.passage_id, old.article_id, old.title,
                old.source, old.stated_on, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
        END;
CREATE INDEX deliveries_pending ON deliveries (state, id);
CREATE INDEX sightings_passage ON sightings (passage_id);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('passages',35);
INSERT INTO "sqlite_sequence" VALUES('changes',2);
INSERT INTO "sqlite_sequence" VALUES('claims',5);
INSERT INTO "sqlite_sequence" VALUES('claim_events',5);
INSERT INTO "sqlite_sequence" VALUES('deliveries',2);
INSERT INTO "sqlite_sequence" VALUES('subscriptions',2);
INSERT INTO "sqlite_sequence" VALUES('answers',1);
COMMIT;
